using System.Diagnostics;

namespace Packster;

/// <summary>
/// Named moments inside mutating commands where the crash-consistency tests kill the process: when the
/// environment variable <c>PACKSTER_CRASH_AT</c> names the point being passed, the process kills itself at once
/// (SIGKILL on POSIX, TerminateProcess on Windows), with no cleanup, exactly like a power cut or <c>kill -9</c>.
/// Unset, a point costs one string comparison. spec/lockfile.md § Crash consistency lists the points.
/// </summary>
public static class CrashPoint
{
    public const string Variable = "PACKSTER_CRASH_AT";

    private static readonly string? Armed = Environment.GetEnvironmentVariable(Variable);

    public static void Hit(string name)
    {
        if (Armed is not null && string.Equals(Armed, name, StringComparison.Ordinal))
        {
            Process.GetCurrentProcess().Kill();
        }
    }
}
