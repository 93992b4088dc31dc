using Packster.Sources.Tests.Infrastructure;
using Packster.Testing;

namespace Packster.Sources.Tests.Cli;

/// <summary>
/// spec/bundle.md §2 step 1, Fetching, through the real <c>packster</c> process and a static HTTP source on loopback:
/// the requirements' packages are fetched several at once, the source's index once, and a failure is the one of the
/// first failing requirement in the file's order, whichever failed first in time.
/// </summary>
public sealed class BundleFetchTests : IAsyncLifetime
{
    /// <summary>How long a held request waits for the one it waits for before it is answered anyway (the test then fails).</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly TempDirectory _temp = new("packster-bundle-fetch");
    private StaticFileServer _server = null!;

    private string Www => _temp["www"];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Www);
        _server = await StaticFileServer.StartAsync(Www);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _temp.Dispose();
    }

    private Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => CliProcess.RunAsync(_temp.Path, CliProcess.HomeIn(_temp), args);

    private async Task OkAsync(params string[] args)
    {
        var r = await RunAsync(args);
        Assert.True(r.Exit == 0, $"packster {string.Join(' ', args)}: exit {r.Exit}\n{r.Err}");
    }

    /// <summary>Packages alpha, beta and gamma 1.0.0 on the server, its index, the source, a location and a bundle file naming them.</summary>
    private async Task<(string Bundle, Dictionary<string, string> Files)> ServeAsync()
    {
        var files = new[] { "alpha", "beta", "gamma" }.ToDictionary(id => id, id => "/" + Path.GetFileName(TestPackages.Create(Www, id, "1.0.0", payload: id)));
        await OkAsync("source", "index", Www);
        await OkAsync("source", "add", "web", "--type", "http", "--url", _server.Address.ToString(), "--insecure");
        await OkAsync("location", "create", _temp["loc"], "--id", "dev");
        File.WriteAllText(_temp["bundle.toml"], "[packages]\nalpha = \"^1\"\nbeta = \"^1\"\ngamma = \"^1\"\n");
        return (_temp["bundle.toml"], files);
    }

    [Fact]
    public async Task The_packages_of_a_bundle_are_fetched_several_at_once_and_the_index_once()
    {
        var (bundle, files) = await ServeAsync();
        // The first package request is held until a request for another package arrives: fetched one after the other,
        // none would arrive while it is held.
        var another = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string? first = null;
        var sawAnother = false;
        _server.Hold = async path =>
        {
            if (!path.EndsWith(".packster", StringComparison.Ordinal)) return;
            if (Interlocked.CompareExchange(ref first, path, null) is null)
            {
                sawAnother = await Task.WhenAny(another.Task, Task.Delay(Patience)) == another.Task;
                return;
            }
            if (path != first) another.TrySetResult();
        };

        await OkAsync("bundle", "install", bundle, "--location", "dev");

        Assert.True(sawAnother, "no other package was asked for while the first was being fetched");
        Assert.Equal(1, _server.Requests.Count(p => p == "/index.json"));
        Assert.All(files.Values, f => Assert.Contains(f, _server.Requests));
    }

    [Fact]
    public async Task A_failure_is_the_first_failing_requirement_in_the_files_order_not_the_first_in_time()
    {
        var (bundle, files) = await ServeAsync();
        // alpha and beta are gone from the server, which answers alpha only after it has answered beta.
        File.Delete(Path.Combine(Www, files["alpha"].TrimStart('/')));
        File.Delete(Path.Combine(Www, files["beta"].TrimStart('/')));
        var betaAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.Answered = path =>
        {
            if (path == files["beta"]) betaAnswered.TrySetResult();
        };
        _server.Hold = async path =>
        {
            if (path == files["alpha"]) await Task.WhenAny(betaAnswered.Task, Task.Delay(Patience));
        };

        var r = await RunAsync("bundle", "install", bundle, "--location", "dev");

        Assert.NotEqual(0, r.Exit);
        Assert.True(betaAnswered.Task.IsCompleted, "beta was never asked for: the fetches did not overlap");
        Assert.Contains(files["alpha"].TrimStart('/'), r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain(files["beta"].TrimStart('/'), r.Err, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateDirectories(_temp["loc/deployments"]));
    }
}
