namespace Packster.Manifest;

/// <summary>
/// The files a manifest names — shim targets and handler scripts — exist in the package folder
/// (spec/manifest.md § Files the manifest names). <c>manifest check</c> and <c>pack</c> refuse a package that names a
/// file it does not have (PST2011), instead of packing something whose shim or handler fails only once installed.
/// </summary>
public static class ManifestFiles
{
    /// <summary>
    /// Refuses when a file <paramref name="manifest"/> names is not a file in <paramref name="folder"/>. With
    /// <paramref name="beforePackHandlers"/>, a manifest with a <c>pack</c> or <c>any</c> handler has only those
    /// scripts checked: the other files may be what the pack handlers make (pack checks them again afterwards).
    /// </summary>
    public static void Check(Manifest manifest, string folder, bool beforePackHandlers)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(folder);
        CheckLicense(manifest);
        var packHandlers = manifest.Handlers.Keys.Where(a => a is HandlerAction.Pack or HandlerAction.Any).ToHashSet();
        var onlyPackHandlers = beforePackHandlers && packHandlers.Count > 0;
        var named = new List<(string Key, PackagePath Path)>();
        foreach (var (action, handler) in manifest.Handlers)
        {
            if (!onlyPackHandlers || packHandlers.Contains(action)) named.Add(($"handlers.{HandlerSpec.KeyOf(action)}", handler.Script));
        }
        if (!onlyPackHandlers)
        {
            foreach (var (name, shim) in manifest.Shims) named.Add(($"shims.{name}", shim.Target));
        }
        var missing = named.Where(n => !File.Exists(n.Path.Under(folder))).ToList();
        if (missing.Count == 0) return;
        throw new PacksterException(ErrorCode.ManifestFileMissing,
            $"{manifest.File}: {string.Join(", ", missing.Select(m => $"{m.Key} '{m.Path.Value}'"))}: no such file in '{folder}'",
            "add the file, or fix the path in the manifest (paths are relative to the package folder)");
    }

    /// <summary>spec/licenses.md § Expressions: <c>license</c>, when given, is an SPDX expression of listed, current ids (PST2040).</summary>
    public static void CheckLicense(Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.License is not { } license || Licensing.SpdxLicense.TryParse(license, out var why) is not null) return;
        throw new PacksterException(ErrorCode.LicenseExpressionInvalid,
            $"{manifest.File}: license '{TerminalText.Printable(license)}' is not a valid SPDX expression: {why}",
            "write an SPDX expression such as 'MIT', 'Apache-2.0 OR MIT' or 'GPL-3.0-only WITH Classpath-exception-2.0' (https://spdx.org/licenses/)");
    }
}
