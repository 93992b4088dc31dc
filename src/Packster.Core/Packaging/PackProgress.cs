namespace Packster.Packaging;

/// <summary>How far a pack has come: entries and source bytes written so far, of the totals.</summary>
public readonly record struct PackProgress(int EntriesDone, int EntriesTotal, long BytesDone, long BytesTotal);
