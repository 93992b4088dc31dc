using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Packster.Sources.Tests.Infrastructure;

/// <summary>
/// Debian's <c>docker-registry</c> (the CNCF distribution server, 2.8.2) started on a free loopback port for one
/// test: plain http, TLS with htpasswd (bcrypt) users, or token authentication against a <see cref="RegistryTokenServer"/>.
/// Its access log is kept, so a test can see which requests the registry received.
/// </summary>
public sealed class RegistryServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log;

    private RegistryServer(Process process, StringBuilder log, Uri address, string storage)
    {
        _process = process;
        _log = log;
        Address = address;
        Storage = storage;
    }

    public static string? Binary { get; } = FindOnPath("docker-registry");

    public static string? Htpasswd { get; } = FindOnPath("htpasswd");

    /// <summary>Why registry tests cannot run here, or null.</summary>
    public static string? Missing => Binary is null
        ? "docker-registry (Debian's CNCF distribution server) is not installed; .ci/install-registry.sh installs it"
        : null;

    /// <summary>e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Address { get; }

    /// <summary>The registry's storage folder.</summary>
    public string Storage { get; }

    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    /// <summary>Plain http, no authentication.</summary>
    public static Task<RegistryServer> StartAsync(string directory) => StartAsync(directory, "", tls: null);

    /// <summary>TLS with the PKI's server certificate, and the given users (bcrypt, as the registry requires).</summary>
    public static async Task<RegistryServer> StartWithHtpasswdAsync(string directory, TestPki pki, params (string User, string Password)[] users)
    {
        if (Htpasswd is null) throw new InvalidOperationException("htpasswd (apache2-utils) is not installed; .ci/install-registry.sh installs it");
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "htpasswd");
        var lines = new StringBuilder();
        foreach (var (user, password) in users)
        {
            var start = new ProcessStartInfo(Htpasswd) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in (string[])["-nbB", user, password]) start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0) throw new InvalidOperationException($"htpasswd failed: {await process.StandardError.ReadToEndAsync()}");
            lines.AppendLine(output.Trim());
        }
        await File.WriteAllTextAsync(file, lines.ToString());
        return await StartAsync(directory, $"auth:\n  htpasswd:\n    realm: packster-test\n    path: {file}\n", pki);
    }

    /// <summary>Plain http with token authentication: the registry trusts tokens the token server signs.</summary>
    public static Task<RegistryServer> StartWithTokensAsync(string directory, RegistryTokenServer tokens) =>
        StartAsync(directory, $"auth:\n  token:\n    realm: {tokens.Realm}\n    service: {RegistryTokenServer.Service}\n    issuer: {RegistryTokenServer.Issuer}\n    rootcertbundle: {tokens.WriteCertificate(Directory.CreateDirectory(directory).FullName)}\n", tls: null);

    private static async Task<RegistryServer> StartAsync(string directory, string auth, TestPki? tls)
    {
        if (Binary is null) throw new InvalidOperationException(Missing);
        Directory.CreateDirectory(directory);
        var storage = Path.Combine(directory, "registry-data");
        string tlsConfig = "";
        if (tls is not null)
        {
            var certificate = Path.Combine(directory, "registry.crt");
            var key = Path.Combine(directory, "registry.key");
            await File.WriteAllTextAsync(certificate, tls.Server.ExportCertificatePem());
            using var privateKey = System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions.GetECDsaPrivateKey(tls.Server)!;
            await File.WriteAllTextAsync(key, privateKey.ExportPkcs8PrivateKeyPem());
            tlsConfig = $"  tls:\n    certificate: {certificate}\n    key: {key}\n";
        }
        // A port taken between choosing and binding makes the registry exit; a new port is tried then.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var config = Path.Combine(directory, "registry.yml");
            await File.WriteAllTextAsync(config,
                $"version: 0.1\nlog:\n  level: info\n  formatter: text\nstorage:\n  filesystem:\n    rootdirectory: {storage}\n  delete:\n    enabled: true\n" +
                $"http:\n  addr: 127.0.0.1:{port}\n{tlsConfig}{auth}");
            var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("serve");
            start.ArgumentList.Add(config);
            var process = Process.Start(start)!;
            var log = new StringBuilder();
            var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void Line(object _, DataReceivedEventArgs e)
            {
                if (e.Data is null) return;
                lock (log) log.AppendLine(e.Data);
                if (e.Data.Contains("listening on", StringComparison.Ordinal)) listening.TrySetResult();
            }
            process.OutputDataReceived += Line;
            process.ErrorDataReceived += Line;
            process.EnableRaisingEvents = true;
            process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("docker-registry exited"));
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
                var scheme = tls is null ? "http" : "https";
                return new RegistryServer(process, log, new Uri($"{scheme}://127.0.0.1:{port}/"), storage);
            }
            catch (Exception) when (attempt < 3)
            {
                Stop(process);
            }
            catch (Exception e)
            {
                Stop(process);
                string text;
                lock (log) text = log.ToString();
                throw new InvalidOperationException($"docker-registry did not start: {e.Message}\n{text}", e);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        process.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Stop(_process);
        return ValueTask.CompletedTask;
    }
}
