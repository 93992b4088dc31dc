using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Packster.Cli.Commands;

/// <summary>Options several commands share, spelled the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<string?> Location() => new("--location", "-l")
    {
        Description = "A location path or registered id (default: PACKSTER_LOCATION, then the default location)",
    };

    /// <summary>
    /// The optional location argument of a command that also takes <c>--location</c> (<c>history L</c>, <c>verify L</c>):
    /// <see cref="OneLocation"/> refuses the two naming different locations.
    /// </summary>
    public static Argument<string?> LocationArgument() => new("location")
    {
        Description = "A location path or id (default: --location, PACKSTER_LOCATION, the default location); not together with a different --location",
        Arity = ArgumentArity.ZeroOrOne,
    };

    /// <summary>
    /// A location given both as <paramref name="argument"/> and with <paramref name="option"/>, differently, is a usage
    /// error (spec/errors.md PST1000): one of them would be ignored without a word, and a command could read or change
    /// the location that was not meant. The same text twice is one location.
    /// </summary>
    public static void OneLocation(Command command, Argument<string?> argument, Option<string?> option)
    {
        command.Validators.Add(r =>
        {
            var positional = r.GetResult(argument) is { Tokens.Count: > 0 } a ? a.Tokens[^1].Value : null;
            var named = r.GetResult(option) is { Tokens.Count: > 0 } o ? o.Tokens[^1].Value : null;
            if (positional is not null && named is not null && positional != named)
            {
                r.AddError($"the location is given twice: '{positional}' and --location '{named}'; give one of them");
            }
        });
    }

    /// <summary>
    /// The value of a whole-number option (the last given), or null when it was not given; a value that is not a whole
    /// number of at least <paramref name="minimum"/> is a usage error in words (System.CommandLine's own names the .NET type).
    /// </summary>
    public static int? WholeNumber(System.CommandLine.Parsing.ArgumentResult result, string name, int minimum = int.MinValue)
    {
        if (result.Tokens.Count == 0) return null;
        var text = result.Tokens[^1].Value;
        var parsed = int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value);
        if (parsed && value >= minimum) return value;
        // A whole number too large for the option is said to be so, not "at least {minimum}", which it is.
        var digits = text.StartsWith('+') ? text[1..] : text;
        var tooLarge = !parsed && digits.Length > 0 && digits.All(char.IsAsciiDigit);
        result.AddError(tooLarge ? $"{name} takes a whole number of at most {int.MaxValue}, not '{text}'"
            : minimum == int.MinValue ? $"{name} takes a whole number, not '{text}'" : $"{name} takes a whole number of at least {minimum}, not '{text}'");
        return null;
    }

    /// <summary>
    /// The full path of an output file option (<c>-o</c>, <c>--bom</c>), or null when it was not given. An empty value
    /// is a usage error: resolved against the current folder it would name the folder itself.
    /// </summary>
    public static string? OutputPath(CliContext context, string? value, string option)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (value is null) return null;
        if (value.Length == 0) throw new PacksterException(ErrorCode.InvalidArgument, $"{option} is empty: it names no file", $"give {option} a file name, or leave it out");
        return context.ResolvePath(value);
    }

    public static Option<bool> Json() => new("--json") { Description = "Print machine-readable JSON on stdout" };

    public static Option<string?> HandlerTimeout() => new("--handler-timeout")
    {
        Description = "Time limit for each handler, replacing the manifest's (e.g. 90s, 5m)",
    };

    public static Option<bool> Force() => new("--force") { Description = "Reinstall even when the same deployment exists" };

    public static Option<bool> Inactive() => new("--inactive") { Description = "Deploy without becoming active or claiming resources" };

    public static Option<bool> DryRun() => new("--dry-run") { Description = "Print the plan and change nothing" };

    /// <summary><c>--platform os[-version]/arch[/libc[-version]]</c>: check <c>[platform]</c> for another machine (spec/manifest.md § [platform]).</summary>
    public static Option<string?> Platform(string what) => new("--platform")
    {
        Description = $"Check [platform] for another machine instead of this one ({what}): os[-version]/arch[/libc[-version]], e.g. linux-5.15/x64/glibc-2.36, windows-10.0.19041/x64, macos-14/arm64",
    };

    public static Packster.Manifest.MachinePlatform? ParsePlatform(string? text) => text is null ? null : Packster.Manifest.MachinePlatform.Parse(text);

    public static TimeSpan? ParseTimeout(string? text) => text is null ? null : Packster.Handlers.TimeSpanText.Parse(text);

    public static void WriteJson(TextWriter output, JsonNode node) => output.WriteLine(JsonAsRead.ToJsonString(node));

    /// <summary>
    /// JSON written straight to standard output, for large outputs where building nodes first is the cost: as UTF-8
    /// bytes onto <see cref="CliContext.Utf8Out"/> when there is one (<paramref name="write"/> may call
    /// <see cref="FlushSome"/> to bound what is held), else through one string onto <see cref="CliContext.Out"/>.
    /// Followed by a newline, as <see cref="TextWriter.WriteLine(string)"/> would.
    /// </summary>
    public static void WriteJson(CliContext context, Action<System.Text.Json.Utf8JsonWriter> write, bool indented = false)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(write);
        var options = new System.Text.Json.JsonWriterOptions { Indented = indented, NewLine = "\n" };
        if (context.Utf8Out is { } stream)
        {
            context.Out.Flush();
            using (var writer = new System.Text.Json.Utf8JsonWriter(stream, options))
            {
                write(writer);
            }
            stream.Write("\n"u8);
            stream.Flush();
            return;
        }
        using var buffer = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, options))
        {
            write(writer);
        }
        context.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    /// <summary>Hands what <paramref name="writer"/> holds to its stream once it is more than 64 KiB.</summary>
    public static void FlushSome(System.Text.Json.Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (writer.BytesPending > 64 * 1024) writer.Flush();
    }
}
