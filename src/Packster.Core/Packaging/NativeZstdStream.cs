using System.Buffers;
using System.Runtime.InteropServices;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Packster.Packaging;

/// <summary>
/// A zstd stream decoded by the system's libzstd (spec/package-format.md § Decoders): on Linux, where nearly every
/// distribution ships <c>libzstd.so.1</c>, it decodes about 1.5–2 × faster than the managed port. Decoding is fixed by
/// the format, so both decoders give the same bytes for the same frame, with the same window limit and the same errors
/// (<see cref="ZstdException"/> for bad data, <see cref="EndOfStreamException"/> when the data stops inside a frame);
/// <see cref="EntryDataStream.OpenZstd"/> picks this one for data of 1 MiB or more when <see cref="IsAvailable"/>.
/// Encoding stays managed, so a package's bytes never depend on the machine that packed it.
/// </summary>
internal sealed class NativeZstdStream : ReadOnlyStream
{
    private const string Library = "libzstd.so.1";

    /// <summary>ZSTD_d_windowLogMax.</summary>
    private const int WindowLogMaxParameter = 100;

    /// <summary>1.4.0: the first release whose advanced decoding parameters are stable.</summary>
    private const uint MinimumVersion = 10400;

    private static readonly Lazy<bool> s_available = new(() => Usable(Environment.GetEnvironmentVariable("PACKSTER_ZSTD")));

    private readonly Stream _raw;
    private readonly byte[] _input;
    private readonly int _inputSize;
    private readonly bool _leaveOpen;
    private IntPtr _context;
    private int _inputEnd;
    private nuint _inputPosition;
    private bool _rawEnded;

    /// <summary>Whether the decoding stopped inside a frame: the last call that took or gave bytes did not finish one.</summary>
    private bool _inFrame;

    /// <summary>
    /// Whether libzstd can be used here: Linux, a library of 1.4.0 or later with every call this stream makes, and
    /// <c>PACKSTER_ZSTD</c> not set to <c>managed</c>. Asked once per process.
    /// </summary>
    public static bool IsAvailable => s_available.Value;

    /// <summary>libzstd's version as a number (1.5.4 is 10504), or 0 where it cannot be loaded.</summary>
    public static uint LibraryVersion
    {
        get
        {
            try
            {
                return OperatingSystem.IsLinux() ? NativeMethods.ZSTD_versionNumber() : 0;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
            {
                return 0;
            }
        }
    }

    /// <param name="raw">The compressed bytes.</param>
    /// <param name="inputSize">How many compressed bytes to read from <paramref name="raw"/> at a time.</param>
    /// <param name="windowLogMax">The largest window (log2) a frame may ask for; more is refused as bad data.</param>
    /// <param name="leaveOpen">Whether disposing this stream leaves <paramref name="raw"/> open.</param>
    public NativeZstdStream(Stream raw, int inputSize, int windowLogMax, bool leaveOpen = false)
    {
        _raw = raw;
        _leaveOpen = leaveOpen;
        _inputSize = inputSize;
        _context = NativeMethods.ZSTD_createDCtx();
        if (_context == IntPtr.Zero) throw new ZstdException(ZSTD_ErrorCode.ZSTD_error_memory_allocation, "libzstd could not allocate a decoding context");
        // A refused parameter leaves the context to the finalizer; the buffer is taken only once the stream stands.
        Check(NativeMethods.ZSTD_DCtx_setParameter(_context, WindowLogMaxParameter, windowLogMax));
        _input = ArrayPool<byte>.Shared.Rent(inputSize);
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_context == IntPtr.Zero, this);
        if (buffer.IsEmpty) return 0;
        while (true)
        {
            if (_inputPosition == (nuint)_inputEnd && !_rawEnded)
            {
                _inputEnd = _raw.Read(_input, 0, _inputSize);
                _inputPosition = 0;
                _rawEnded = _inputEnd == 0;
            }
            nuint produced = 0;
            var consumedBefore = _inputPosition;
            var hint = NativeMethods.ZSTD_decompressStream_simpleArgs(_context,
                ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length, ref produced,
                ref MemoryMarshal.GetArrayDataReference(_input), (nuint)_inputEnd, ref _inputPosition);
            Check(hint);
            // 0 once a frame is decoded and flushed; a call that took and gave nothing (the input is spent) says
            // nothing about the frame, only that the next one has not begun.
            if (produced > 0 || _inputPosition != consumedBefore) _inFrame = hint != 0;
            if (produced > 0) return (int)produced;
            if (_rawEnded && _inputPosition == (nuint)_inputEnd)
            {
                // Nothing more to read and nothing more decoded: the end, unless a frame is still open.
                if (_inFrame) throw new EndOfStreamException("the zstd data ends inside a frame");
                return 0;
            }
            // Streaming decoding always takes the input it is given; a call that neither took nor gave is refused
            // rather than repeated for ever.
            if (_inputPosition == consumedBefore && _inputPosition < (nuint)_inputEnd)
            {
                throw new ZstdException(ZSTD_ErrorCode.ZSTD_error_GENERIC, "libzstd made no progress");
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (_context != IntPtr.Zero)
        {
            _ = NativeMethods.ZSTD_freeDCtx(_context);
            _context = IntPtr.Zero;
        }
        if (disposing)
        {
            ArrayPool<byte>.Shared.Return(_input);
            if (!_leaveOpen) _raw.Dispose();
        }
        base.Dispose(disposing);
    }

    ~NativeZstdStream() => Dispose(false);

    /// <summary>A libzstd result that is an error becomes the <see cref="ZstdException"/> the managed decoder would throw.</summary>
    private static void Check(nuint result)
    {
        if (NativeMethods.ZSTD_isError(result) == 0) return;
        var name = Marshal.PtrToStringUTF8(NativeMethods.ZSTD_getErrorName(result)) ?? "unknown error";
        // libzstd's error codes are the negated results, the same numbers ZstdSharp's enum carries.
        throw new ZstdException((ZSTD_ErrorCode)unchecked((int)(0 - result)), name);
    }

    /// <summary>Whether libzstd is to be used, given the value of <c>PACKSTER_ZSTD</c> (<paramref name="setting"/>).</summary>
    internal static bool Usable(string? setting)
    {
        if (!OperatingSystem.IsLinux()) return false;
        if (string.Equals(setting, "managed", StringComparison.OrdinalIgnoreCase)) return false;
        try
        {
            if (LibraryVersion < MinimumVersion) return false;
            // Decode an empty frame once: every entry point this stream calls is there and answers.
            using var stream = new NativeZstdStream(new MemoryStream(EmptyFrame), 64, 10);
            return stream.Read(new byte[1]) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or ZstdException or EndOfStreamException)
        {
            return false;
        }
    }

    /// <summary>A zstd frame of no content: magic, a single-segment header saying 0 bytes, one empty last raw block.</summary>
    private static readonly byte[] EmptyFrame = [0x28, 0xB5, 0x2F, 0xFD, 0x20, 0x00, 0x01, 0x00, 0x00];

    private static class NativeMethods
    {
        [DllImport(Library)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern uint ZSTD_versionNumber();

        [DllImport(Library)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern IntPtr ZSTD_createDCtx();

        [DllImport(Library)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern nuint ZSTD_freeDCtx(IntPtr context);

        [DllImport(Library)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern nuint ZSTD_DCtx_setParameter(IntPtr context, int parameter, int value);

        [DllImport(Library)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern nuint ZSTD_decompressStream_simpleArgs(IntPtr context,
            ref byte destination, nuint destinationCapacity, ref nuint destinationPosition,
            ref byte source, nuint sourceSize, ref nuint sourcePosition);

        [DllImport(Library)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern uint ZSTD_isError(nuint result);

        [DllImport(Library)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern IntPtr ZSTD_getErrorName(nuint result);
    }
}
