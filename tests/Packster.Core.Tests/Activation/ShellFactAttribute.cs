namespace Packster.Core.Tests.Activation;

/// <summary>A fact that runs in a real shell and is skipped, with the reason, when that shell is not installed.</summary>
public sealed class ShellFactAttribute : FactAttribute
{
    public ShellFactAttribute(string shell)
    {
        if (Shells.SkipReason(shell) is { } why) Skip = why;
    }
}
