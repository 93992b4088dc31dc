using System.Diagnostics;
using System.Net.Sockets;
using Packster.Packaging;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// spec/export.md § Where export writes, through the real executable: the file named by <c>export -o</c>,
/// <c>sbom -o</c> and <c>--bom</c> is replaced only when it is a regular file; a FIFO is written into, a link is
/// written through, anything else is refused, and an empty name is a usage error.
/// </summary>
public sealed class OutputTargetTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public OutputTargetTests() => _f.Packster.Ok("install-file", _f.PackSample("hello"), "--location", "dev");

    public void Dispose() => _f.Dispose();

    private string Fifo(string name)
    {
        var path = _f.Temp[name];
        using (var mkfifo = Process.Start("mkfifo", [path])) mkfifo.WaitForExit();
        Assert.Equal(FileKind.Fifo, FileKinds.Of(path));
        return path;
    }

    // "A FIFO or a character device (/dev/stdout) is written into, as a stream: it stays what it was and its reader
    // gets the file."
    [Theory]
    [InlineData("export", "format = 1")]
    [InlineData("sbom", "\"bomFormat\": \"CycloneDX\"")]
    public async Task A_fifo_is_written_into_and_stays_a_fifo(string command, string expected)
    {
        if (OperatingSystem.IsWindows()) return;
        var fifo = Fifo("out.pipe");
        var reader = Task.Run(() => File.ReadAllText(fifo));
        var result = _f.Packster.Run(command, "--location", "dev", "-o", fifo);
        Assert.True(result.ExitCode == 0, result.ToString());
        var read = await reader.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains(expected, read, StringComparison.Ordinal);
        Assert.Equal(FileKind.Fifo, FileKinds.Of(fifo));
        Assert.Empty(Directory.EnumerateFiles(_f.Temp.Path, "*.tmp"));
    }

    // "A symbolic link is followed: the regular file it names is replaced and the link stays."
    [Fact]
    public void A_link_is_written_through_and_kept()
    {
        if (OperatingSystem.IsWindows()) return;
        var real = _f.Temp["dotfiles-env.toml"];
        File.WriteAllText(real, "old\n");
        var link = _f.Temp["env.toml"];
        File.CreateSymbolicLink(link, real);
        _f.Packster.Ok("export", "--location", "dev", "-o", link);
        Assert.Equal(FileKind.Symlink, FileKinds.Of(link));
        Assert.Equal(real, new FileInfo(link).LinkTarget);
        Assert.StartsWith("# Packster environment of location 'dev'", File.ReadAllText(real), StringComparison.Ordinal);
    }

    // "Anything else — a folder, a socket, a block device — is refused with PST1004 before anything is written."
    [Theory]
    [InlineData("export")]
    [InlineData("sbom")]
    public void A_socket_or_a_folder_is_refused_and_left_as_it_was(string command)
    {
        if (OperatingSystem.IsWindows()) return;
        var path = _f.Temp["out.sock"];
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        var refused = _f.Packster.Run(command, "--location", "dev", "-o", path);
        Assert.Equal(2, refused.ExitCode);
        Assert.StartsWith($"error[PST1004]: cannot write the ", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains($"'{path}': it is a socket", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(FileKind.Socket, FileKinds.Of(path));

        var folder = _f.Temp["out-folder"];
        Directory.CreateDirectory(folder);
        var intoFolder = _f.Packster.Run(command, "--location", "dev", "-o", folder);
        Assert.Equal(2, intoFolder.ExitCode);
        Assert.Contains($"'{folder}': it is a folder", intoFolder.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
        Assert.Empty(Directory.EnumerateFiles(_f.Temp.Path, "*.tmp"));
    }

    // spec/errors.md: an OS refusal is named "with its own words", and spec/export.md: a regular file is "replaced
    // atomically" (a temp file beside it, renamed over it). /proc/self/status exists but its folder takes no new file:
    // the error says so, not that the file does not exist.
    [Fact]
    public void A_folder_that_takes_no_new_file_is_named_as_such_not_the_file_as_missing()
    {
        if (!OperatingSystem.IsLinux()) return;
        var result = _f.Packster.Run("sbom", "--location", "dev", "-o", "/proc/self/status");
        Assert.Equal(9, result.ExitCode);
        Assert.StartsWith("error[PST9005]: cannot write the ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("'/proc/self/status': its folder '/proc/self' does not allow creating a file there", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("does not exist", result.Stderr, StringComparison.Ordinal);
    }

    // "An empty -o (or --bom) names no file: PST1001" — resolved against the current folder it would name the folder.
    [Theory]
    [InlineData("export", "-o")]
    [InlineData("sbom", "-o")]
    public void An_empty_output_is_a_usage_error(string command, string option)
    {
        var snapshot = _f.Snapshot();
        var result = _f.Packster.Run(command, "--location", "dev", option, "");
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error[PST1001]: --output is empty: it names no file", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(snapshot, _f.Snapshot());
    }

    [Fact]
    public void An_empty_bom_is_a_usage_error()
    {
        var result = _f.Packster.Run("install-file", _f.PackSample("motd"), "--location", "dev", "--dry-run", "--bom", "");
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error[PST1001]: --bom is empty: it names no file", result.Stderr, StringComparison.Ordinal);
    }
}
