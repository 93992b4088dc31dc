using System.Text;
using System.Text.Json;

namespace Packster.IntegrationTests.Handlers;

/// <summary>
/// spec/handlers.md §Environment: parameters reach sh, bash and python3 handlers verbatim, as
/// <c>PACKSTER_PARAM_&lt;NAME&gt;</c> and in <c>PACKSTER_PARAMETERS_FILE</c>, whichever way they were given
/// (<c>--parameters</c>, <c>--parameters-file</c>, <c>-p</c>), and are never evaluated by a shell.
/// </summary>
public sealed class HandlerParameterTests : IDisposable
{
    private readonly HandlerWorld _w = new();

    public void Dispose() => _w.Dispose();

    private const string Manifest = """
        id = "params"
        version = "1.0.0"

        [parameters.value]
        type = "string"
        default = ""

        [parameters.count]
        type = "integer"
        default = 1

        [parameters.flag]
        type = "boolean"
        default = false

        [handlers]

        """;

    private const string ShellRecorder = """
        #!/bin/sh
        set -eu
        printf '%s' "$PACKSTER_PARAM_VALUE" > "$PACKSTER_DEPLOYMENT_PATH/env-value.txt"
        printf '%s' "$PACKSTER_PARAM_COUNT" > "$PACKSTER_DEPLOYMENT_PATH/env-count.txt"
        printf '%s' "$PACKSTER_PARAM_FLAG" > "$PACKSTER_DEPLOYMENT_PATH/env-flag.txt"
        cp "$PACKSTER_PARAMETERS_FILE" "$PACKSTER_DEPLOYMENT_PATH/parameters.json"
        ls -ln "$PACKSTER_PARAMETERS_FILE" | cut -c1-10 > "$PACKSTER_DEPLOYMENT_PATH/parameters-mode.txt"

        """;

    private const string PythonRecorder = """
        import os, shutil, stat
        d = os.environ["PACKSTER_DEPLOYMENT_PATH"]
        for name in ("VALUE", "COUNT", "FLAG"):
            with open(os.path.join(d, "env-" + name.lower() + ".txt"), "wb") as f:
                f.write(os.environb[b"PACKSTER_PARAM_" + name.encode()])
        shutil.copyfile(os.environ["PACKSTER_PARAMETERS_FILE"], os.path.join(d, "parameters.json"))
        with open(os.path.join(d, "parameters-mode.txt"), "w") as f:
            f.write(stat.filemode(os.stat(os.environ["PACKSTER_PARAMETERS_FILE"]).st_mode) + "\n")

        """;

    /// <summary>Everything a shell would act on, plus line breaks and text beyond ASCII.</summary>
    private string Tricky => "a \"double\" 'single' $(touch " + _w.Evidence("injected-1") + ") `touch " + _w.Evidence("injected-2") + "`"
        + " ; touch " + _w.Evidence("injected-3") + " && echo done || x\nline two\n\t* ?[a] ~ {a,b} \\ %s %n $HOME ${PATH} ünïcødé 😀 日本 end";

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var executor in new[] { "sh", "bash", "python3" })
        {
            foreach (var input in new[] { "--parameters", "--parameters-file", "-p" }) data.Add(executor, input);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parameters_reach_the_handler_verbatim_and_typed(string executor, string input)
    {
        var (handler, script, body) = executor switch
        {
            "sh" => ("install = \"scripts/record.sh\"", "scripts/record.sh", ShellRecorder),
            "bash" => ("install = { script = \"scripts/record.sh\", executor = [\"bash\"] }", "scripts/record.sh", ShellRecorder.Replace("#!/bin/sh", "#!/bin/bash", StringComparison.Ordinal)),
            _ => ("install = \"scripts/record.py\"", "scripts/record.py", PythonRecorder),
        };
        var package = _w.Pack(_w.Source(executor, Manifest + handler + "\n", (script, body)));
        var tricky = Tricky;
        var json = JsonSerializer.Serialize(new Dictionary<string, object> { ["value"] = tricky, ["count"] = 42, ["flag"] = true });
        string[] args = input switch
        {
            "--parameters" => ["--parameters", json],
            "--parameters-file" => ["--parameters-file", WriteParametersFile(json)],
            // -p values are typed by the declaration: "42" becomes the integer 42, "true" the boolean.
            _ => ["-p", "value=" + tricky, "-p", "count=42", "-p", "flag=true"],
        };

        var installed = _w.InstallOk(package, args);
        var deployment = installed.GetProperty("path").GetString()!;

        // §Environment: strings verbatim byte for byte (UTF-8), numbers as their JSON text, booleans as true/false.
        Assert.Equal(Encoding.UTF8.GetBytes(tricky), File.ReadAllBytes(Path.Combine(deployment, "env-value.txt")));
        Assert.Equal("42", File.ReadAllText(Path.Combine(deployment, "env-count.txt")));
        Assert.Equal("true", File.ReadAllText(Path.Combine(deployment, "env-flag.txt")));
        using var file = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(deployment, "parameters.json")));
        Assert.Equal(tricky, file.RootElement.GetProperty("value").GetString());
        Assert.Equal(JsonValueKind.Number, file.RootElement.GetProperty("count").ValueKind);
        Assert.Equal(42, file.RootElement.GetProperty("count").GetInt32());
        Assert.Equal(JsonValueKind.True, file.RootElement.GetProperty("flag").ValueKind);
        // §Environment: the parameters file is owner-only (parameters may be secrets).
        Assert.Equal("-rw-------", File.ReadAllText(Path.Combine(deployment, "parameters-mode.txt")).Trim());
        // Nothing in the value was run by a shell.
        foreach (var n in new[] { 1, 2, 3 }) Assert.False(File.Exists(_w.Evidence($"injected-{n}")), $"injected-{n} was created: a parameter reached a shell");
        // §Environment: the file is deleted after the handlers ran.
        Assert.Empty(Directory.EnumerateFileSystemEntries(_w.StagingDirectory));
    }

    private string WriteParametersFile(string json)
    {
        var path = _w.Evidence("parameters-input.json");
        File.WriteAllText(path, json);
        return path;
    }

    /// <summary>
    /// spec/parameters.md § Limits: a value longer than PACKSTER_PARAM_&lt;NAME&gt;=&lt;value&gt; can hold (131,071 bytes) "is
    /// PST3006 ParameterValueInvalid before anything changes, at install … naming the parameter, its length and the limit".
    /// </summary>
    [Fact]
    public void A_value_too_long_for_an_environment_variable_is_refused_before_anything_changes()
    {
        _w.Seed();
        var package = _w.Pack(_w.Source("params", Manifest + "install = \"scripts/install.sh\"\n", ("scripts/install.sh", ShellRecorder)));
        var parameters = Path.Combine(_w.Root, "long.json");
        File.WriteAllText(parameters, "{\"value\": \"" + new string('v', 200_000) + "\"}");
        var before = _w.Snapshot();

        var r = _w.Install(package, "--parameters-file", parameters);

        Assert.Equal(3, r.ExitCode);
        Assert.Contains("error[PST3006]: parameter 'value': it is 200000 bytes long, so PACKSTER_PARAM_VALUE=<value> would take 200021 bytes; "
            + "an environment variable holds at most 131071 bytes with its name", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("vvvv", r.Stdout + r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("PST7002", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _w.Snapshot());
    }
}
