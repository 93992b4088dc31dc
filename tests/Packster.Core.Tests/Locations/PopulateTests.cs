using Packster.Core.Tests.Handlers;
using Packster.Locations;

namespace Packster.Core.Tests.Locations;

/// <summary>
/// spec/lockfile.md § Reading and writing a large lockfile: the arrays a large lockfile is read into and written out of
/// are mapped by the kernel at once before they are written, not page by page as each is first touched.
/// </summary>
public sealed class PopulateTests
{
    private const int Size = 64 << 20;

    [LinuxOnlyFact("MADV_POPULATE_WRITE is Linux's; elsewhere Populate does nothing")]
    public void A_populated_array_is_written_without_a_fault_per_page()
    {
        var plain = GC.AllocateUninitializedArray<byte>(Size);
        var before = MinorFaults();
        plain.AsSpan().Fill(1);
        var plainFaults = MinorFaults() - before;

        var populated = GC.AllocateUninitializedArray<byte>(Size);
        PosixFiles.Populate(populated);
        before = MinorFaults();
        populated.AsSpan().Fill(1);
        var populatedFaults = MinorFaults() - before;

        var pages = Size / Environment.SystemPageSize;
        // Fresh memory faults on first touch (huge pages would make it 1 in 512); populated memory does not fault at all.
        Assert.True(plainFaults >= pages / 512, $"{plainFaults} faults writing {pages} fresh pages");
        Assert.True(populatedFaults * 8 < Math.Max(plainFaults, 8), $"{populatedFaults} faults writing {pages} populated pages, {plainFaults} without");
        Assert.Equal(-1, populated.AsSpan().IndexOfAnyExcept((byte)1));
    }

    [Fact]
    public void Populating_leaves_what_the_array_holds()
    {
        var bytes = GC.AllocateUninitializedArray<byte>(1 << 20);
        new Random(7).NextBytes(bytes);
        var copy = bytes.ToArray();

        PosixFiles.Populate(bytes);

        Assert.Equal(copy, bytes);
    }

    /// <summary>This thread's minor page faults so far (field 10 of /proc/thread-self/stat).</summary>
    private static long MinorFaults()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], System.Globalization.CultureInfo.InvariantCulture);
    }
}
