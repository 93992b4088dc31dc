using Packster.Sources.Config;

namespace Packster.Sources;

/// <summary>Opens configured sources. Credentials are read from the environment here, at use, by variable name.</summary>
public static class SourceFactory
{
    public static IPackageSource Open(SourceDefinition definition, SourceContext context) => definition.Validate().Kind switch
    {
        SourceKind.Folder => new FolderSource(definition.Name, Path.GetFullPath(definition.Url, context.CurrentDirectory), definition.Priority,
            signatureRules: definition.TrustRules()),
        SourceKind.Http => new HttpSource(definition, context),
        SourceKind.Oci => new Oci.OciSource(definition, context),
        _ => new ArtifactorySource(definition, context),
    };

    /// <summary>All sources of <paramref name="config"/> in consultation order, or only <paramref name="only"/> when given.</summary>
    public static IReadOnlyList<IPackageSource> Open(SourceConfig config, SourceContext context, string? only = null) =>
        only is null ? [.. config.Sources.Select(d => Open(d, context))] : [Open(config.Get(only), context)];
}
