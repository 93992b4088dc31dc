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
}
