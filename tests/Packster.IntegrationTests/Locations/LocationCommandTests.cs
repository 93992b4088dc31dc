using System.Text.Json;
using Packster.Cli;
using Packster.Testing;

namespace Packster.IntegrationTests.Locations;

/// <summary>PRODUCT.md § Command line: <c>packster location create &lt;dir&gt; [--id] | setup | show [L] [--json]</c>; spec/lockfile.md.</summary>
public sealed class LocationCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-cli-loc");
    private readonly Dictionary<string, string> _env;

    public LocationCommandTests()
    {
        Directory.CreateDirectory(_temp["home"]);
        Directory.CreateDirectory(_temp["cwd"]);
        _env = new Dictionary<string, string> { ["HOME"] = _temp["home"], ["USERPROFILE"] = _temp["home"], ["LOCALAPPDATA"] = _temp["home/local"] };
    }

    private (int Exit, string Out, string Err) Run(params string[] args) => Run(_env, args);

    private (int Exit, string Out, string Err) Run(Dictionary<string, string> env, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = PacksterApp.Run(args, new CliContext(output, error, env, _temp["cwd"]));
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public void Create_registers_the_location_and_prints_json()
    {
        var (exit, output, err) = Run("location", "create", "envs/dev", "--id", "dev", "--json");
        Assert.Equal(0, exit);
        Assert.Equal("", err);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("dev", json.RootElement.GetProperty("id").GetString());
        Assert.Equal(_temp["cwd/envs/dev"], json.RootElement.GetProperty("path").GetString());
        Assert.True(File.Exists(_temp["cwd/envs/dev/packster-location.json"]));
    }

    [Fact]
    public void Creating_twice_fails_with_exit_5_and_one_error_line()
    {
        Assert.Equal(0, Run("location", "create", "dev").Exit);
        var (exit, _, err) = Run("location", "create", "dev");
        Assert.Equal(5, exit);
        Assert.StartsWith("error[PST5001]: ", err, StringComparison.Ordinal);
        Assert.Contains(_temp["cwd/dev"], err, StringComparison.Ordinal);
    }

    [Fact]
    public void Setup_creates_the_default_location_once_and_show_finds_it_without_arguments()
    {
        var first = Run("location", "setup", "--json");
        Assert.Equal(0, first.Exit);
        Assert.True(JsonDocument.Parse(first.Out).RootElement.GetProperty("created").GetBoolean());
        Assert.False(JsonDocument.Parse(Run("location", "setup", "--json").Out).RootElement.GetProperty("created").GetBoolean());

        var (exit, output, _) = Run("location", "show", "--json");
        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("default", json.RootElement.GetProperty("id").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("deployments").GetInt32());
        Assert.Equal(0, json.RootElement.GetProperty("active").GetArrayLength());
    }

    [Fact]
    public void Show_takes_an_id_a_path_or_PACKSTER_LOCATION()
    {
        Run("location", "create", "work", "--id", "w");
        Assert.Contains("location     w", Run("location", "show", "w").Out, StringComparison.Ordinal);
        Assert.Contains("location     w", Run("location", "show", "./work").Out, StringComparison.Ordinal);
        var env = new Dictionary<string, string>(_env) { ["PACKSTER_LOCATION"] = "w" };
        Assert.Contains("location     w", Run(env, "location", "show").Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Show_without_any_location_says_to_run_setup()
    {
        var (exit, _, err) = Run("location", "show");
        Assert.Equal(5, exit);
        Assert.StartsWith("error[PST5000]: ", err, StringComparison.Ordinal);
        Assert.Contains("hint: run 'packster location setup'", err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_lockfile_fails_with_its_position_and_stays_byte_for_byte()
    {
        Run("location", "create", "dev");
        var lockfile = _temp["cwd/dev/packster-location.json"];
        var corrupt = "{\n  \"schema\": 1,\n  \"location\": \"dev\"\n  \"deployments\": []\n}\n"u8.ToArray();
        File.WriteAllBytes(lockfile, corrupt);

        var (exit, _, err) = Run("location", "show", "dev");
        Assert.Equal(5, exit);
        Assert.StartsWith($"error[PST5002]: {lockfile}: invalid JSON at line 4", err, StringComparison.Ordinal);
        Assert.Equal(corrupt, File.ReadAllBytes(lockfile));
    }

    [Fact]
    public void Show_notes_leftovers_of_an_interrupted_operation_without_touching_them()
    {
        Run("location", "create", "dev");
        var leftover = _temp["cwd/dev/.packster/staging/0123456789abcdef"];
        Directory.CreateDirectory(leftover);
        var (exit, _, err) = Run("location", "show", "dev");
        Assert.Equal(0, exit);
        Assert.Contains("leftovers of an interrupted operation", err, StringComparison.Ordinal);
        Assert.True(Directory.Exists(leftover)); // spec/lockfile.md § Recovery: read-only commands only tolerate leftovers
    }

    public void Dispose() => _temp.Dispose();
}
