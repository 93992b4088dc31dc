namespace Packster.Sources.Config;

/// <summary>The kinds of package source; the config file spells them <c>folder</c>, <c>http</c>, <c>artifactory</c>, <c>oci</c>.</summary>
public enum SourceKind
{
    Folder,
    Http,
    Artifactory,

    /// <summary>An OCI distribution registry (spec/sources.md §10): packages are artifacts in <c>{repo}/{id}</c>, tagged by version.</summary>
    Oci,
}

/// <summary>Spelling of <see cref="SourceKind"/> in the config file and on the command line.</summary>
public static class SourceKinds
{
    public static string ToConfigText(this SourceKind kind) => kind switch
    {
        SourceKind.Folder => "folder",
        SourceKind.Http => "http",
        SourceKind.Oci => "oci",
        _ => "artifactory",
    };

    public static bool TryParse(string? text, out SourceKind kind)
    {
        switch (text)
        {
            case "folder": kind = SourceKind.Folder; return true;
            case "http": kind = SourceKind.Http; return true;
            case "artifactory": kind = SourceKind.Artifactory; return true;
            case "oci": kind = SourceKind.Oci; return true;
            default: kind = default; return false;
        }
    }
}
