using System.ComponentModel;
using System.Globalization;
using System.Text;
using Packster.Manifest;

namespace Packster.Handlers;

/// <summary>
/// A program start refused with E2BIG ("Argument list too long"), said in words: which variable of the environment is
/// longer than one may be (spec/handlers.md §Running), never its value.
/// </summary>
public static class EnvironmentTooLarge
{
    /// <summary>E2BIG on Linux and macOS.</summary>
    private const int ArgumentListTooLong = 7;

    /// <summary>Whether starting a program failed because its arguments and environment were too large.</summary>
    public static bool Is(Win32Exception exception) =>
        exception is not null && !OperatingSystem.IsWindows() && exception.NativeErrorCode == ArgumentListTooLong;

    /// <summary>Why the system refused <paramref name="environment"/>: the first variable too long for one, else the whole.</summary>
    public static string Why(IEnumerable<KeyValuePair<string, string?>> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        foreach (var (name, value) in environment)
        {
            if (value is null || ValueRules.WhyNotEnvironmentEntry(name, value) is null) continue;
            var bytes = Encoding.UTF8.GetByteCount(name) + 1 + Encoding.UTF8.GetByteCount(value);
            return $"environment variable {name} takes {bytes.ToString(CultureInfo.InvariantCulture)} bytes with its name, and the system "
                + $"passes at most {(ValueRules.MaxEnvironmentEntryBytes - 1).ToString(CultureInfo.InvariantCulture)} in one variable (E2BIG)";
        }
        return "its environment and arguments together are larger than the system passes to a program (E2BIG)";
    }

    /// <summary>
    /// PST3006: <paramref name="what"/> (the shell of <c>packster shell</c>, a service) cannot be started with location
    /// <paramref name="location"/> active, whose activated <paramref name="environment"/> the system refused (E2BIG).
    /// </summary>
    public static PacksterException InActivatedLocation(string what, string location, IEnumerable<KeyValuePair<string, string?>> environment) =>
        new(ErrorCode.ParameterValueInvalid, $"cannot start {what} with location {location} active: {Why(environment)}",
            "the value comes from a deployment's [provides] env; upgrade or reinstall it with a shorter parameter value");
}
