using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using Packster.Handlers;

namespace Packster.PowerShellHost;

/// <summary>
/// The host's stdin and stdout, taken over for the protocol before anything else can touch them. What a script or
/// a program it starts writes to "stdout" must not corrupt a frame, and nothing it runs may read a request: so the
/// process's own standard output is pointed at its standard error (which packster forwards as handler output) and
/// its standard input at the null device (handlers get an empty stdin, spec/handlers.md §Running).
/// </summary>
internal sealed partial class ProtocolChannel : IDisposable
{
    private readonly object _gate = new();
    private readonly StreamReader _requests;
    private readonly Stream _frames;

    private ProtocolChannel(Stream requests, Stream frames)
    {
        _requests = new StreamReader(requests, new UTF8Encoding(false));
        _frames = frames;
    }

    public static ProtocolChannel TakeOverStandardStreams()
    {
        if (OperatingSystem.IsWindows()) return TakeOverWindows();
        var input = Dup(0);
        var output = Dup(1);
        var devNull = Open("/dev/null", 0);
        if (devNull < 0 || Dup2(devNull, 0) < 0 || Dup2(2, 1) < 0) throw new IOException("could not detach the standard streams from the protocol");
        Close(devNull);
        return new ProtocolChannel(
            new FileStream(new SafeFileHandle(input, ownsHandle: true), FileAccess.Read, 1),
            new FileStream(new SafeFileHandle(output, ownsHandle: true), FileAccess.Write, 1));
    }

    private static ProtocolChannel TakeOverWindows()
    {
        var input = Console.OpenStandardInput();
        var output = Console.OpenStandardOutput();
        // Programs a script starts inherit the standard handles: give them the null device and standard error.
        var nul = CreateFileW("NUL", 0x80000000u | 0x40000000u, 3, IntPtr.Zero, 3, 0, IntPtr.Zero);
        SetStdHandle(-10, nul);
        SetStdHandle(-11, GetStdHandle(-12));
        Console.SetIn(TextReader.Null);
        Console.SetOut(Console.Error);
        return new ProtocolChannel(input, output);
    }

    /// <summary>The next request, or null when packster closed the pipe (the host then exits).</summary>
    public PowerShellHostRequest? ReadRequest()
    {
        while (_requests.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            return JsonSerializer.Deserialize(line, PowerShellHostJson.Default.PowerShellHostRequest)
                ?? throw new InvalidDataException("a request was the JSON literal null");
        }
        return null;
    }

    /// <summary>Writes one frame as one line; safe from the pipeline thread and the main thread alike.</summary>
    public void Send(PowerShellHostFrame frame)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(frame, PowerShellHostJson.Default.PowerShellHostFrame);
        lock (_gate)
        {
            _frames.Write(bytes);
            _frames.WriteByte((byte)'\n');
            _frames.Flush();
        }
    }

    public void Dispose()
    {
        _requests.Dispose();
        _frames.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2(int fd, int target);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("kernel32.dll", StringMarshalling = StringMarshalling.Utf16, SetLastError = true)]
    private static partial IntPtr CreateFileW(string name, uint access, uint share, IntPtr security, uint disposition, uint flags, IntPtr template);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool SetStdHandle(int which, IntPtr handle);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    private static partial IntPtr GetStdHandle(int which);
}
