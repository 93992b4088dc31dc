namespace Packster.Cli;

/// <summary>Counts in words: "1 file", "2 files".</summary>
internal static class Words
{
    public static string Counted(long count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";
}
