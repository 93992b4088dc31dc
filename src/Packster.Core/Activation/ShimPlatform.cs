namespace Packster.Activation;

/// <summary>Which launcher files a shim becomes: an <c>sh</c> script (POSIX) or a <c>.cmd</c> + <c>.ps1</c> pair (Windows).</summary>
public enum ShimPlatform
{
    Posix,
    Windows,
}

/// <summary>The shim platform of the running OS.</summary>
public static class ShimPlatforms
{
    public static ShimPlatform Current => OperatingSystem.IsWindows() ? ShimPlatform.Windows : ShimPlatform.Posix;
}
