namespace Packster.Handlers;

/// <summary>What <see cref="PackStaging.Create"/> made: counts, bytes, and how many files were copy-on-write clones.</summary>
public sealed record PackStagingResult(string StagingPath, int Files, int ClonedFiles, int Directories, int Links, long Bytes);
