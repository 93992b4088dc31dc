using System.CommandLine;
using System.Text.Json;
using Packster.Deployments;

namespace Packster.Cli.Commands;

/// <summary><c>--parameters &lt;json&gt;</c>, <c>--parameters-file &lt;file&gt;</c> and repeatable <c>-p key=value</c>.</summary>
internal sealed class ParameterOptions
{
    private readonly Option<string?> _json = new("--parameters") { Description = "Parameters as a JSON object" };
    private readonly Option<string?> _file = new("--parameters-file") { Description = "A file holding the parameters as a JSON object" };
    private readonly Option<string[]> _pairs = new("--param", "-p")
    {
        Description = "One parameter as key=value, typed by its declaration (repeatable)",
        AllowMultipleArgumentsPerToken = false,
    };

    public static ParameterOptions Create() => new();

    public void AddTo(Command command)
    {
        command.Options.Add(_json);
        command.Options.Add(_file);
        command.Options.Add(_pairs);
        command.Validators.Add(result =>
        {
            if (result.GetResult(_json) is not null && result.GetResult(_file) is not null)
            {
                result.AddError("--parameters and --parameters-file cannot be used together");
            }
        });
    }

    public JsonElement? ReadJson(ParseResult parse, CliContext context)
    {
        if (parse.GetValue(_json) is { } text) return ParameterInput.ParseJson(text, "--parameters");
        if (parse.GetValue(_file) is not { } file) return null;
        var path = context.ResolvePath(file);
        FileSystemErrors.RequireFile(path, "parameters file");
        return ParameterInput.ReadFile(path);
    }

    public IReadOnlyList<string> Pairs(ParseResult parse) => parse.GetValue(_pairs) ?? [];
}
