namespace Packster;

/// <summary>
/// A failure the user can act on: a stable <see cref="Code"/> (catalogued in spec/errors.md), one line that says
/// what failed, for which file or key, and an optional hint saying what to do. Never carries secrets.
/// </summary>
public class PacksterException : Exception
{
    public PacksterException(ErrorCode code, string message, string? hint = null, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        Hint = hint;
    }

    public PacksterException() : this(ErrorCode.Internal, "internal error") { }
    public PacksterException(string message) : this(ErrorCode.Internal, message) { }
    public PacksterException(string message, Exception inner) : this(ErrorCode.Internal, message, null, inner) { }

    public ErrorCode Code { get; }
    public string? Hint { get; }

    /// <summary>The process exit code for this failure (see <see cref="ExitCodes"/>).</summary>
    public int ExitCode => ExitCodes.For(Code);
}
