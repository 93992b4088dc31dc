namespace Packster;

/// <summary>
/// A test seam beside <see cref="CrashPoint"/>: when <c>PACKSTER_PAUSE_AT</c> names the point being passed and
/// <c>PACKSTER_PAUSE_FILE</c> names a file, the process creates that file and waits until it is deleted, so a test can
/// run a second command at exactly that moment (spec/activation.md §6 lists the points). Unset, a point costs one
/// string comparison; nothing else in Packster reads these variables.
/// </summary>
public static class PausePoint
{
    public const string Variable = "PACKSTER_PAUSE_AT";
    public const string FileVariable = "PACKSTER_PAUSE_FILE";

    private static readonly string? Armed = Environment.GetEnvironmentVariable(Variable);
    private static readonly string? Signal = Environment.GetEnvironmentVariable(FileVariable);
    private static int _paused;

    /// <summary>Pauses the first time the armed point is passed; later passes go straight on.</summary>
    public static void Hit(string name)
    {
        if (Armed is null || Signal is null || !string.Equals(Armed, name, StringComparison.Ordinal)) return;
        if (Interlocked.Exchange(ref _paused, 1) == 1) return;
        File.WriteAllText(Signal, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (File.Exists(Signal) && DateTime.UtcNow < deadline) Thread.Sleep(10);
    }
}
