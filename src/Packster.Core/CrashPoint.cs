using System.Diagnostics;

namespace Packster;

/// <summary>
/// Named moments inside mutating commands where the crash-consistency tests interrupt the process. Two test hooks,
/// both listed with the points in spec/lockfile.md § Crash consistency:
/// <c>PACKSTER_CRASH_AT</c> names a point at which the process kills itself at once (SIGKILL on POSIX,
/// TerminateProcess on Windows), with no cleanup, exactly like a power cut or <c>kill -9</c>;
/// <c>PACKSTER_FAIL_AT</c> names a point at which an <see cref="IOException"/> is thrown, as a full disk would, so the
/// failure paths after a commit run on machines where a full disk cannot be arranged. Unset, a point costs two
/// comparisons with null.
/// </summary>
public static class CrashPoint
{
    public const string Variable = "PACKSTER_CRASH_AT";

    /// <summary>Test hook only: makes the named point throw an <see cref="IOException"/>.</summary>
    public const string FailVariable = "PACKSTER_FAIL_AT";

    private static readonly string? Armed = Environment.GetEnvironmentVariable(Variable);

    private static readonly string? Failing = Environment.GetEnvironmentVariable(FailVariable);

    public static void Hit(string name)
    {
        if (Armed is not null && string.Equals(Armed, name, StringComparison.Ordinal))
        {
            Process.GetCurrentProcess().Kill();
        }
        if (Failing is not null && string.Equals(Failing, name, StringComparison.Ordinal))
        {
            throw new IOException($"injected failure at '{name}' ({FailVariable}, a test hook)");
        }
    }
}
