using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32;

namespace Packster.Activation;

/// <summary>
/// Persistent activation on Windows (spec/activation.md §6): the location's shims folder first on the user PATH and
/// its env keys in <c>HKCU\Environment</c>, with previous values saved under <c>HKCU\Software\Packster\Activation\&lt;id&gt;</c>
/// for <see cref="Disable"/>, then a WM_SETTINGCHANGE broadcast so new processes see it. Compiled everywhere; only
/// exercised on Windows.
/// </summary>
[SupportedOSPlatform("windows")]
public static class WindowsUserEnvironment
{
    private const string EnvironmentKey = "Environment";
    private const string SavedRoot = @"Software\Packster\Activation";
    private const string UnsetMarker = "\0unset";

    public static void Enable(ActivationSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var env = Registry.CurrentUser.CreateSubKey(EnvironmentKey, writable: true);
        using var saved = Registry.CurrentUser.CreateSubKey($@"{SavedRoot}\{spec.LocationId}", writable: true);
        var path = env.GetValue("Path", "", RegistryValueOptions.DoNotExpandEnvironmentNames) as string ?? "";
        var entries = path.Split(';', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (!entries.Contains(spec.ShimsDir, StringComparer.OrdinalIgnoreCase))
        {
            env.SetValue("Path", string.Join(';', entries.Prepend(spec.ShimsDir)), RegistryValueKind.ExpandString);
        }
        saved.SetValue("ShimsDir", spec.ShimsDir);
        foreach (var (key, value) in spec.Env)
        {
            // Save the value from before the first enable only, so enabling twice cannot save our own value.
            if (saved.GetValue("Old_" + key) is null)
            {
                saved.SetValue("Old_" + key, env.GetValue(key, null, RegistryValueOptions.DoNotExpandEnvironmentNames) as string ?? UnsetMarker);
            }
            env.SetValue(key, value, RegistryValueKind.String);
        }
        Broadcast();
    }

    public static bool Disable(string locationId)
    {
        ActivationId.Validate(locationId);
        using var saved = Registry.CurrentUser.OpenSubKey($@"{SavedRoot}\{locationId}", writable: false);
        if (saved is null) return false;
        using var env = Registry.CurrentUser.CreateSubKey(EnvironmentKey, writable: true);
        var shims = saved.GetValue("ShimsDir") as string;
        var path = env.GetValue("Path", "", RegistryValueOptions.DoNotExpandEnvironmentNames) as string ?? "";
        env.SetValue("Path", string.Join(';', path.Split(';').Where(p => !string.Equals(p, shims, StringComparison.OrdinalIgnoreCase))), RegistryValueKind.ExpandString);
        foreach (var name in saved.GetValueNames().Where(n => n.StartsWith("Old_", StringComparison.Ordinal)))
        {
            var old = saved.GetValue(name) as string;
            var key = name["Old_".Length..];
            if (old is null || old == UnsetMarker) env.DeleteValue(key, throwOnMissingValue: false);
            else env.SetValue(key, old, RegistryValueKind.String);
        }
        Registry.CurrentUser.DeleteSubKeyTree($@"{SavedRoot}\{locationId}", throwOnMissingSubKey: false);
        Broadcast();
        return true;
    }

    private static void Broadcast() =>
        NativeMethods.SendMessageTimeout(NativeMethods.HwndBroadcast, NativeMethods.WmSettingChange, IntPtr.Zero, EnvironmentKey,
            NativeMethods.SmtoAbortIfHung, 5000, out _);

    private static class NativeMethods
    {
        internal static readonly IntPtr HwndBroadcast = new(0xffff);
        internal const uint WmSettingChange = 0x001A;
        internal const uint SmtoAbortIfHung = 0x0002;

        [DllImport("user32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code, which this project does not allow
        internal static extern IntPtr SendMessageTimeout(IntPtr hWnd, uint msg, IntPtr wParam, string lParam, uint flags, uint timeout, out IntPtr result);
#pragma warning restore SYSLIB1054
    }
}
