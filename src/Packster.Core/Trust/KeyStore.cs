using System.Security.Cryptography;
using System.Text;

namespace Packster.Trust;

/// <summary>
/// The user's keys (spec/signing.md § Keys): <c>&lt;name&gt;.key</c> (PKCS#8 PEM, mode 0600, encrypted when a
/// passphrase was given) and <c>&lt;name&gt;.pub</c> (SubjectPublicKeyInfo PEM) in one folder; public keys of others
/// are imported as <c>.pub</c> files only. A change (generate, import) holds the store's lock, <c>.lock</c> in the folder,
/// from its check for the name to its last write, so two at once never both take one name.
/// </summary>
public sealed class KeyStore(string directory, TimeSpan? lockTimeout = null)
{
    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>How long a change waits for another process's change of the store (<c>PACKSTER_LOCK_TIMEOUT</c>).</summary>
    public TimeSpan LockTimeout { get; } = lockTimeout ?? Locations.LocationLock.DefaultTimeout;

    /// <summary>The store's lock file; a key name cannot start with '.', so no key file has its name.</summary>
    public string LockPath => Path.Combine(Directory, ".lock");

    /// <summary>A PEM key is a few hundred bytes; a key file bigger than this is not one, and is not read further.</summary>
    public const int MaxKeyFileSize = 64 * 1024;

    /// <summary>The text of the key file <paramref name="file"/>; PST4032 when it is not a regular file of at most <see cref="MaxKeyFileSize"/> bytes.</summary>
    public static string ReadKeyFile(string file) =>
        Encoding.UTF8.GetString(SmallFile.Read(file, MaxKeyFileSize, why => TrustErrors.KeyUnreadable(file, $"{why}; a key file is at most {MaxKeyFileSize} bytes")));

    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && name[0] != '.';

    private string PrivatePath(string name) => Path.Combine(Directory, name + ".key");

    private string PublicPath(string name) => Path.Combine(Directory, name + ".pub");

    /// <summary>
    /// Makes a new P-256 key pair; refuses a name in use (PST4033). Under the store's lock, and the private key is created
    /// as a new file (never replacing one): of two generators for one name exactly one succeeds, and the pair on disk is
    /// the one it made (spec/signing.md § Keys).
    /// </summary>
    public PublicKey Generate(string name, string? passphrase, TextWriter? waiting = null)
    {
        RequireName(name);
        using var held = Lock(waiting);
        if (File.Exists(PrivatePath(name)) || File.Exists(PublicPath(name))) throw TrustErrors.KeyExists(name, Directory);
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var privatePem = passphrase is null
            ? ecdsa.ExportPkcs8PrivateKeyPem()
            : ecdsa.ExportEncryptedPkcs8PrivateKeyPem(passphrase, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 600_000));
        var key = PublicKey.From(name, ecdsa);
        CreatePrivateKey(name, privatePem + "\n");
        AtomicFile.WriteAllText(PublicPath(name), key.Pem);
        return key;
    }

    /// <summary>
    /// Writes the private key file as a new file (<c>O_CREAT|O_EXCL</c>), 0600 from its creation on POSIX, flushed to
    /// disk; a file of that name made meanwhile (by a process that did not take the lock) is PST4033, and left alone.
    /// </summary>
    private void CreatePrivateKey(string name, string pem)
    {
        var path = PrivatePath(name);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        FileStream stream;
        try
        {
            stream = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw TrustErrors.KeyExists(name, Directory);
        }
        try
        {
            using (stream)
            {
                stream.Write(Encoding.ASCII.GetBytes(pem));
                stream.Flush(flushToDisk: true);
            }
        }
        catch
        {
            AtomicFile.TryDelete(path);
            throw;
        }
        Locations.DirectorySync.Flush(Directory);
    }

    /// <summary>Takes the store's lock (the folder made when missing); PST5004 after <see cref="LockTimeout"/>.</summary>
    private Locations.FileLock Lock(TextWriter? waiting) =>
        Locations.FileLock.Acquire(LockPath, $"the key store '{Directory}'", LockTimeout, waiting);

    /// <summary>Adds someone's public key under <paramref name="name"/>; refuses a name in use or a key whose id another key has (PST4033).</summary>
    public PublicKey Import(string name, string pem, string file, TextWriter? waiting = null)
    {
        RequireName(name);
        var key = PublicKey.FromPem(name, pem, file);
        using var held = Lock(waiting);
        if (File.Exists(PublicPath(name))) throw TrustErrors.KeyExists(name, Directory);
        if (List().FirstOrDefault(k => k.Id == key.Id) is { } same) throw TrustErrors.KeyExists($"{name} (its id {key.Id} is the id of '{same.Name}')", Directory);
        FileSystemErrors.CreateFolder(Directory, "key store");
        AtomicFile.WriteAllText(PublicPath(name), key.Pem);
        return key;
    }

    /// <summary>Every public key in the store, by name; a <c>.pub</c> file that is not one is left out (<see cref="Unreadable"/>).</summary>
    public IReadOnlyList<PublicKey> List() => Read().Keys;

    /// <summary>
    /// The <c>.pub</c> files of the store that are not public keys (damaged, another kind of key, too large, a FIFO),
    /// each with why (PST4032's words). They are skipped (spec/signing.md § Keys): one damaged file in the folder does not
    /// stop every signature check and <c>key list</c>; a signature by such a key finds its key "not in the key store".
    /// </summary>
    public IReadOnlyList<PacksterException> Unreadable() => Read().Unreadable;

    private (List<PublicKey> Keys, List<PacksterException> Unreadable) Read()
    {
        var keys = new List<PublicKey>();
        var unreadable = new List<PacksterException>();
        if (!System.IO.Directory.Exists(Directory)) return (keys, unreadable);
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.pub").Order(StringComparer.Ordinal))
        {
            try
            {
                keys.Add(PublicKey.FromPem(Path.GetFileNameWithoutExtension(file), ReadKeyFile(file), file));
            }
            catch (PacksterException e) when (e.Code == ErrorCode.KeyUnreadable)
            {
                unreadable.Add(e);
            }
        }
        return (keys, unreadable);
    }

    public bool HasPrivateKey(string name) => File.Exists(PrivatePath(name));

    /// <summary>A key by name, or by id; PST4034 when there is none.</summary>
    public PublicKey Find(string nameOrId) =>
        List().FirstOrDefault(k => k.Name == nameOrId) ?? List().FirstOrDefault(k => k.Id == nameOrId) ?? throw TrustErrors.KeyNotFound(nameOrId, Directory);

    /// <summary>The private key <paramref name="name"/>, decrypted with <paramref name="passphrase"/> when it is encrypted.</summary>
    public SigningKey Load(string name, string? passphrase)
    {
        if (!IsValidName(name)) throw TrustErrors.KeyNameInvalid(name, existing: true);
        var path = PrivatePath(name);
        if (!File.Exists(path)) throw TrustErrors.KeyNotFound(name + " (private)", Directory);
        var pem = ReadKeyFile(path);
        var ecdsa = ECDsa.Create();
        try
        {
            if (pem.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal))
            {
                if (passphrase is null) throw TrustErrors.KeyUnreadable(path, "it is encrypted: give --passphrase-env VAR");
                ecdsa.ImportFromEncryptedPem(pem, passphrase);
            }
            else
            {
                ecdsa.ImportFromPem(pem);
            }
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            ecdsa.Dispose();
            throw TrustErrors.KeyUnreadable(path, passphrase is null ? "not a PEM private key" : "the passphrase does not open it");
        }
        return new SigningKey(name, ecdsa);
    }

    private void RequireName(string name)
    {
        if (!IsValidName(name)) throw TrustErrors.KeyNameInvalid(name);
    }
}
