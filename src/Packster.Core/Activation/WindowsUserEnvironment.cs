using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32;

namespace Packster.Activation;

/// <summary>
/// Persistent activation on Windows (spec/activation.md §6): the location's shims folder first on the user PATH and
/// its env keys in <c>HKCU\Environment</c>, with previous values saved under <c>HKCU\Software\Packster\Activation\&lt;id&gt;</c>
/// for <see cref="Disable"/>, then a WM_SETTINGCHANGE broadcast so new processes see it; for every user
/// (<c>location enable --system</c>) the same in the machine environment, <c>HKLM\SYSTEM\CurrentControlSet\Control\Session
/// Manager\Environment</c>, saving under <c>HKLM\SOFTWARE\Packster\Activation\&lt;id&gt;</c> (administrators only). The edit
/// itself is <see cref="UserEnvironmentEdit"/> (tested everywhere); this class is the registry and the broadcast, only
/// exercised on Windows.
/// </summary>
[SupportedOSPlatform("windows")]
public static class WindowsUserEnvironment
{
    private const string EnvironmentKey = "Environment";
    private const string MachineEnvironmentKey = @"SYSTEM\CurrentControlSet\Control\Session Manager\Environment";
    private const string SavedRoot = @"Software\Packster\Activation";

    public static void Enable(ActivationSpec spec) => Enable(spec, machine: false);

    public static bool Disable(string locationId) => Disable(locationId, machine: false);

    /// <summary>As <see cref="Enable(ActivationSpec)"/>, for every user: the machine environment.</summary>
    public static void EnableForMachine(ActivationSpec spec) => Enable(spec, machine: true);

    public static bool DisableForMachine(string locationId) => Disable(locationId, machine: true);

    private static RegistryKey Hive(bool machine) => machine ? Registry.LocalMachine : Registry.CurrentUser;

    private static string EnvironmentOf(bool machine) => machine ? MachineEnvironmentKey : EnvironmentKey;

    private static void Enable(ActivationSpec spec, bool machine)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var env = Hive(machine).CreateSubKey(EnvironmentOf(machine), writable: true);
        using var saved = Hive(machine).CreateSubKey($@"{SavedRoot}\{spec.LocationId}", writable: true);
        UserEnvironmentEdit.Enable(spec, new RegistryStore(env), new RegistryStore(saved));
        Broadcast();
    }

    private static bool Disable(string locationId, bool machine)
    {
        ActivationId.Validate(locationId);
        using var saved = Hive(machine).OpenSubKey($@"{SavedRoot}\{locationId}", writable: false);
        if (saved is null) return false;
        using var env = Hive(machine).CreateSubKey(EnvironmentOf(machine), writable: true);
        UserEnvironmentEdit.Disable(new RegistryStore(env), new RegistryStore(saved));
        Hive(machine).DeleteSubKeyTree($@"{SavedRoot}\{locationId}", throwOnMissingSubKey: false);
        Broadcast();
        return true;
    }

    /// <summary>A registry key as a store: values read unexpanded, written with the kind they carry.</summary>
    private sealed class RegistryStore(RegistryKey key) : IUserEnvironmentStore
    {
        public IEnumerable<string> Names => key.GetValueNames();

        public UserEnvironmentValue? Get(string name) =>
            key.GetValue(name, null, RegistryValueOptions.DoNotExpandEnvironmentNames) is { } data ? new UserEnvironmentValue(data, (UserValueKind)(int)key.GetValueKind(name)) : null;

        public void Set(string name, UserEnvironmentValue value) => key.SetValue(name, value.Data, (RegistryValueKind)(int)value.Kind);

        public void Delete(string name) => key.DeleteValue(name, throwOnMissingValue: false);
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
