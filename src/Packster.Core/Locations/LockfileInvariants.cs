using System.Text.Json;
using System.Text.Json.Nodes;
using Packster.Deployments;
using Packster.Resources;

namespace Packster.Locations;

/// <summary>
/// The rules a lockfile's content keeps beyond its shape (spec/lockfile.md § Invariants): at most one active
/// deployment per package; every claim is a valid <c>kind:value</c>; no resource claimed by two active deployments;
/// no active deployment with a parameter value no environment variable can carry. Packster never writes a state
/// that breaks one; a hand-edited lockfile that does is refused on read (PST5002) and fixed by <c>location repair</c>.
/// </summary>
public static class LockfileInvariants
{
    /// <summary>Every rule <paramref name="state"/> breaks, one line each, naming the deployments; empty when none.</summary>
    public static IReadOnlyList<string> Violations(LocationState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var problems = new List<string>();
        foreach (var group in state.ActiveDeployments.GroupBy(d => d.Id).Where(g => g.Count() > 1))
        {
            problems.Add($"{group.Count()} active deployments of {group.Key} ({string.Join(", ", group.OrderBy(d => d.Version).Select(Describe))}); at most one deployment of a package is active");
        }
        var owners = new Dictionary<ResourceClaim, DeploymentEntry>();
        foreach (var d in state.ActiveDeployments)
        {
            foreach (var text in d.Claims)
            {
                if (!TryParseClaim(text, out var claim, out var why))
                {
                    problems.Add($"{Describe(d)} holds the claim '{text}', which is not a resource claim: {why}");
                    continue;
                }
                var held = claim.Of(d.Hash);
                if (owners.TryGetValue(held, out var other) && other.Hash != d.Hash)
                {
                    problems.Add($"resource '{text}' is claimed by two active deployments, {Describe(other)} and {Describe(d)}");
                }
                else
                {
                    owners[held] = d;
                }
                // A variable is set whole by one deployment or extended as a list by several, not both.
                if (claim.VariableKey is { } variable
                    && owners.FirstOrDefault(o => o.Key.VariableKey == variable && o.Key.Kind != claim.Kind && o.Value.Hash != d.Hash) is { Value: { } both })
                {
                    problems.Add($"environment variable '{claim.Value}' is set whole by one active deployment and extended as a list by another, {Describe(both)} and {Describe(d)}");
                }
            }
        }
        foreach (var d in state.ActiveDeployments)
        {
            if (UnusableParameter(d) is { } why) problems.Add($"active deployment {Describe(d)} has {why}");
        }
        return problems;
    }

    /// <summary>"parameter 'x' …" when a top-level string parameter cannot be carried by an environment variable; else null.</summary>
    public static string? UnusableParameter(DeploymentEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        // Parameters read from the lockfile are looked at where they lie: making an object of them (for every active
        // deployment of every command that reads the lockfile) cost a listing of one deployment 1.7 ms, the object and
        // the serializer's first reading of it afterwards. (Reading the lockfile refuses an object that names a member twice.)
        if (entry.UntouchedParameters is { } read)
        {
            foreach (var property in read.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String) continue;
                if (Packster.Manifest.ValueRules.WhyNotSystemText(TextOf(property.Value)) is { } why) return $"parameter '{property.Name}': {why}";
            }
            return null;
        }
        foreach (var (name, node) in entry.Parameters)
        {
            if (node is null || node.GetValueKind() != JsonValueKind.String) continue;
            var text = node is JsonValue value && value.TryGetValue<JsonElement>(out var element) ? TextOf(element) : node.GetValue<string>();
            if (Packster.Manifest.ValueRules.WhyNotSystemText(text) is { } why) return $"parameter '{name}': {why}";
        }
        return null;
    }

    /// <summary>
    /// A JSON string's text, a lone surrogate included: the rule is there to name one, and <see cref="JsonElement.GetString"/>
    /// refuses to decode it (a lockfile holding <c>"\ud800"</c> in an active deployment's parameters was PST0001).
    /// </summary>
    private static string TextOf(JsonElement value)
    {
        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value);
        // Only an escape can write a lone surrogate: text without one decodes as it is.
        if (raw.IndexOf("\\u"u8) < 0) return value.GetString()!;
        var text = new System.Text.StringBuilder(raw.Length);
        var body = raw[1..^1];
        while (!body.IsEmpty)
        {
            var escape = body.IndexOf((byte)'\\');
            if (escape < 0) escape = body.Length;
            text.Append(System.Text.Encoding.UTF8.GetString(body[..escape]));
            body = body[escape..];
            if (body.IsEmpty) break;
            if (body[1] == (byte)'u')
            {
                text.Append((char)int.Parse(System.Text.Encoding.ASCII.GetString(body[2..6]), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture));
                body = body[6..];
                continue;
            }
            text.Append(body[1] switch
            {
                (byte)'b' => '\b',
                (byte)'f' => '\f',
                (byte)'n' => '\n',
                (byte)'r' => '\r',
                (byte)'t' => '\t',
                var c => (char)c,
            });
            body = body[2..];
        }
        return text.ToString();
    }

    /// <summary>"hello 1.2.0 (3f1c2a9b0c1d)": how repair and errors name a deployment.</summary>
    public static string Describe(DeploymentEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return $"{entry.Id} {entry.Version} ({entry.Hash.Hex[..12]})";
    }

    private static bool TryParseClaim(string text, out ResourceClaim claim, out string why)
    {
        try
        {
            claim = ClaimText.Parse(text);
            why = "";
            return true;
        }
        catch (Exception e) when (e is PacksterException or ArgumentException)
        {
            claim = default;
            why = e.Message;
            return false;
        }
    }
}
