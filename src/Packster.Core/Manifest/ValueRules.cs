using System.Globalization;
using System.Text;
using System.Text.Json;
using Packster.Deployments;

namespace Packster.Manifest;

/// <summary>
/// What text a value may hold, by where it goes (spec/parameters.md § What a value may hold). Every scalar parameter
/// reaches an environment variable (<c>PACKSTER_PARAM_*</c>) and may name files, so it may not hold NUL or a lone
/// surrogate. Text written into a generated script — shim arguments and env, <c>[provides] env</c>, which reach shims
/// and the activation scripts of every shell — may hold no control character at all (U+0000–U+001F, U+007F): cmd ends
/// a line at Ctrl-Z (U+001A) as well as at CR and LF, so no quoting can make them literal there.
/// Checked up front — by <c>manifest check</c> and <c>pack</c> for defaults, enum values and literal text, by install
/// for given values — so no value can reach a commit and then fail to render.
/// </summary>
public static class ValueRules
{
    /// <summary>Why <paramref name="text"/> cannot go into an environment variable, a file name or an argument; null when it can.</summary>
    public static string? WhyNotSystemText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0') return "it holds U+0000 (NUL), which no environment variable, file name or argument can carry";
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return $"it holds a lone surrogate U+{(int)c:X4}, which has no UTF-8 form";
            }
        }
        return null;
    }

    /// <summary>
    /// The most bytes one environment string, <c>NAME=value</c> with its closing NUL, may have on Linux
    /// (MAX_ARG_STRLEN): a process started with a longer one fails with E2BIG before it runs.
    /// </summary>
    public const int MaxEnvironmentEntryBytes = 131072;

    /// <summary>Why variable <paramref name="variable"/> cannot hold <paramref name="value"/> in a process's environment; null when it can.</summary>
    public static string? WhyNotEnvironmentEntry(string variable, string value)
    {
        ArgumentNullException.ThrowIfNull(variable);
        ArgumentNullException.ThrowIfNull(value);
        // No character takes more than 3 UTF-8 bytes (a surrogate pair takes 4 for 2): most values need no count.
        if (3L * (variable.Length + value.Length) + 2 <= MaxEnvironmentEntryBytes) return null;
        var bytes = Encoding.UTF8.GetByteCount(variable) + 1 + Encoding.UTF8.GetByteCount(value);
        if (bytes < MaxEnvironmentEntryBytes) return null;
        return $"it is {Encoding.UTF8.GetByteCount(value).ToString(CultureInfo.InvariantCulture)} bytes long, so {variable}=<value> would take "
            + $"{bytes.ToString(CultureInfo.InvariantCulture)} bytes; an environment variable holds at most "
            + $"{(MaxEnvironmentEntryBytes - 1).ToString(CultureInfo.InvariantCulture)} bytes with its name (Linux's MAX_ARG_STRLEN)";
    }

    /// <summary>Why <paramref name="text"/> cannot be written into a generated script; null when it can.</summary>
    public static string? WhyNotScriptText(string text)
    {
        if (WhyNotSystemText(text) is { } why) return why;
        foreach (var c in text)
        {
            if (c < 0x20 || c == 0x7F)
            {
                return $"it holds the control character U+{((int)c).ToString("X4", CultureInfo.InvariantCulture)}, which generated scripts cannot carry";
            }
        }
        return null;
    }

    /// <summary>
    /// Why <paramref name="text"/> cannot be written into a menu entry (a <c>.desktop</c> file or a Windows shortcut);
    /// null when it can. Stricter than <see cref="WhyNotScriptText"/>: no control character at all, C1 (U+0080–U+009F)
    /// included, as <c>DesktopEntries</c> refuses them.
    /// </summary>
    public static string? WhyNotMenuText(string text)
    {
        if (WhyNotScriptText(text) is { } why) return why;
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                return $"it holds the control character U+{((int)c).ToString("X4", CultureInfo.InvariantCulture)}, which a menu entry cannot carry";
            }
        }
        return null;
    }

    /// <summary>Every template whose expansion is written into a generated script, with where it is in the manifest.</summary>
    public static IEnumerable<(string Where, Template Template)> ScriptTemplates(Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        foreach (var (name, shim) in manifest.Shims)
        {
            for (var i = 0; i < shim.Args.Count; i++) yield return ($"shims.{name}.args[{i}]", shim.Args[i]);
            foreach (var (key, value) in shim.Env) yield return ($"shims.{name}.env.{key}", value);
        }
        foreach (var (key, value) in manifest.Provides.Env) yield return ($"provides.env.{key}", value);
        foreach (var service in manifest.Services)
        {
            for (var i = 0; i < service.Args.Count; i++) yield return ($"service.{service.Name}.args[{i}]", service.Args[i]);
        }
        foreach (var entry in manifest.Desktop)
        {
            for (var i = 0; i < entry.Args.Count; i++) yield return ($"desktop.{entry.Id}.args[{i}]", entry.Args[i]);
        }
        foreach (var (key, list) in manifest.Provides.EnvLists)
        {
            for (var i = 0; i < list.Prepend.Count; i++) yield return ($"provides.env.{key}.prepend[{i}]", list.Prepend[i]);
            for (var i = 0; i < list.Append.Count; i++) yield return ($"provides.env.{key}.append[{i}]", list.Append[i]);
        }
    }

    /// <summary>
    /// Why <paramref name="value"/> cannot be the value of parameter <paramref name="name"/> of <paramref name="manifest"/>,
    /// judged by every place the manifest sends it; null when it can.
    /// </summary>
    public static string? WhyNotParameterValue(Manifest manifest, string name, JsonElement value) =>
        WhyNotParameterValue(manifest, name, value, EffectiveParameters.ScalarText(value));

    /// <summary>As above, with the value's <see cref="EffectiveParameters.ScalarText"/> made by the caller.</summary>
    public static string? WhyNotParameterValue(Manifest manifest, string name, JsonElement value, string? scalar) =>
        WhyNotParameterValue(manifest, name, value, scalar, out _);

    /// <summary>As above; <paramref name="tooLong"/> says the value is refused for its length (§ Limits), not for what it holds.</summary>
    public static string? WhyNotParameterValue(Manifest manifest, string name, JsonElement value, string? scalar, out bool tooLong)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        tooLong = false;
        // A string's scalar text is the string.
        if (value.ValueKind == JsonValueKind.String && WhyNotSystemText(scalar!) is { } why) return why;
        // Every scalar reaches handlers as PACKSTER_PARAM_<NAME> (spec/parameters.md § Limits).
        if (scalar is not null && WhyNotEnvironmentEntry(ParameterName.EnvironmentVariable(name), scalar) is { } length)
        {
            tooLong = true;
            return length;
        }
        // A scalar that a script can carry passes wherever it goes: no template need be looked at (a list of 1,000
        // deployments judges every stored value of each).
        if (scalar is not null && WhyNotMenuText(scalar) is null) return null;
        string? text = scalar;
        foreach (var (where, template) in ScriptTemplates(manifest))
        {
            if (!template.ParameterNames.Contains(name, StringComparer.Ordinal)) continue;
            text ??= EffectiveParameters.ScalarText(value) ?? CanonicalJson.Serialize(value);
            if (WhyNotScriptText(text) is { } scriptWhy) return $"{scriptWhy}, and it is written into a script through {where}";
            // A menu entry's arguments also go into a .desktop file or a shortcut, which carry no C1 control either.
            if (where.StartsWith("desktop.", StringComparison.Ordinal) && WhyNotMenuText(text) is { } menuWhy)
            {
                return $"{menuWhy}, and it is written into a menu entry through {where}";
            }
        }
        return null;
    }
}
