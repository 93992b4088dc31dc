namespace Packster;

/// <summary>
/// Stable error codes, rendered as <c>PST####</c>. The thousands digit is the area and decides the exit code
/// (<see cref="ExitCodes"/>). Codes are never renumbered; spec/errors.md is the catalogue.
/// </summary>
public enum ErrorCode
{
    Internal = 1,
    // SIGINT or SIGTERM stopped the command outside a handler (exit 128 + the signal's number: 130, 143)
    Interrupted = 2,

    // 1xxx usage: bad command-line input (exit 2)
    Usage = 1000,
    InvalidArgument = 1001,
    PathNotFound = 1002,
    NotADirectory = 1003,
    OutputTargetUnsupported = 1004,

    // 2xxx manifest and TOML (exit 3)
    TomlSyntax = 2000,
    ManifestMissing = 2001,
    ManifestInvalid = 2002,
    ManifestUnknownKey = 2003,
    ManifestWrongType = 2004,
    InvalidPackageId = 2005,
    InvalidVersion = 2006,
    InvalidVersionRange = 2007,
    InvalidPath = 2008,
    InvalidTemplate = 2009,
    InvalidShimName = 2010,
    ManifestFileMissing = 2011,
    TomlTooDeep = 2012,
    TomlEditRefused = 2013,
    ManifestExists = 2014,
    ManifestSetInputInvalid = 2015,
    // pack --from: where the package's manifest comes from (spec/pack-from.md)
    PackFromManifestMissing = 2017,
    PackFromManifestConflict = 2018,
    PackFromOptionInvalid = 2019,
    // licences (spec/licenses.md)
    LicenseExpressionInvalid = 2040,
    LicensePolicyInvalid = 2041,
    // deny lists (spec/resolver.md § Deny list)
    DenyRuleInvalid = 2042,
    // config.toml and packster-policy.toml as a whole
    RulesFileUnknownKey = 2043,
    // trust policy (spec/signing.md)
    TrustPolicyInvalid = 2030,

    // 3xxx parameters (exit 3)
    ParametersInvalidJson = 3000,
    ParameterUnknown = 3001,
    ParameterWrongType = 3002,
    ParameterNotInEnum = 3003,
    ParameterMissing = 3004,
    ParametersFileTooLarge = 3005,
    ParameterValueInvalid = 3006,
    ParameterTooDeep = 3007,
    ParameterInvalidUnicode = 3008,

    // 4xxx package integrity and hostile archives (exit 4)
    PackageFileNameInvalid = 4000,
    ChecksumMismatch = 4001,
    ArchiveCorrupt = 4002,
    ArchiveUnsafePath = 4003,
    ArchiveUnsafeLink = 4004,
    ArchiveUnsupportedEntry = 4005,
    ArchiveDuplicateEntry = 4006,
    ArchiveTooLarge = 4007,
    ArchiveManifestMissing = 4008,
    ArchiveReservedName = 4009,
    PlatformUnsupported = 4010,
    ArchiveCrcMismatch = 4011,
    ArchiveSizeMismatch = 4012,
    ArchiveEncryptedEntry = 4013,
    ArchiveUnsupportedCompression = 4014,
    ArchiveNameCollision = 4015,
    ArchiveTooManyEntries = 4016,
    ArchiveCompressionRatio = 4017,
    ArchiveTruncated = 4018,
    // pack --from: vendor archives (spec/pack-from.md)
    VendorArchiveUnreadable = 4019,
    VendorArchiveHardLink = 4020,
    StripComponentsLeaveNothing = 4021,
    StripComponentsCollision = 4022,

    // signatures and keys (spec/signing.md)
    SignatureRefused = 4030,
    SignatureUnreadable = 4031,
    KeyUnreadable = 4032,
    KeyExists = 4033,
    KeyNotFound = 4034,

    // a package the licence policy refuses (spec/licenses.md)
    LicenseRefused = 4050,

    // a package version a deny rule refuses (spec/resolver.md § Deny list)
    PackageDenied = 4060,

    // 5xxx locations, lockfile, lock (exit 5)
    LocationNotFound = 5000,
    LocationExists = 5001,
    LockfileUnreadable = 5002,
    LockfileSchemaUnsupported = 5003,
    LockTimeout = 5004,
    DeploymentNotFound = 5005,
    DeploymentAmbiguous = 5006,
    LocationInconsistent = 5007,
    LocationIdInvalid = 5008,
    LocationIdTaken = 5009,
    LocationDirectoryNotEmpty = 5010,
    DeploymentRecordUnreadable = 5011,
    LocationPathIsLink = 5012,
    LockUnavailable = 5013,
    NoFileMatches = 5014,
    GenerationNotFound = 5015,
    RollbackIncomplete = 5016,
    LocatorNotFound = 5017,
    HistoryCorrupt = 5018,
    // `history --check`: replaying the commit lines of history.jsonl does not give the lockfile (spec/history.md § Replay)
    HistoryDiverges = 5019,
    // `packster service`: no active deployment declares that service, or several do (spec/activation.md § Services)
    ServiceNotFound = 5020,
    // the location's directory, lockfile or own folders are writable by every user (o+w): refused like ssh refuses such a key
    LocationWritableByOthers = 5021,
    SystemGroupUnknown = 5022,

    // 6xxx resource guard (exit 6)
    ResourceConflict = 6000,
    ShimNameInvalid = 6001,
    ResourceClaimInvalid = 6002,
    ShimDefinitionInvalid = 6003,
    ActivationIdInvalid = 6004,
    ProfileSnippetCorrupt = 6005,
    ActivationEnvInvalid = 6006,
    NoShellProfile = 6007,
    // `packster service start`: a port of the service already accepts connections before it starts: another process holds it
    ServicePortTaken = 6008,

    // 7xxx handlers (exit 7)
    HandlerFailed = 7000,
    HandlerTimedOut = 7001,
    HandlerExecutorMissing = 7002,
    HandlerCancelled = 7003,
    HandlerScriptMissing = 7004,
    HandlerScriptNotExecutable = 7005,
    HandlerPlatformUnsupported = 7006,
    HandlerParameterInvalid = 7007,
    PackStagingUnsafeLink = 7008,
    HostedPowerShellMissing = 7009,
    PowerShellChoiceInvalid = 7010,
    HostedPowerShellFailed = 7011,
    TestFailed = 7012,
    // `packster service start`: the process could not be started, or exited before its ports accepted connections
    ServiceFailed = 7013,
    // `packster service start`: still running, but its ports did not accept connections within the timeout (it was stopped)
    ServiceUnhealthy = 7014,
    // a handler left a FIFO, socket or device in the deployment it builds
    DeploymentSpecialFile = 7020,
    // a handler changed, removed or replaced the deployment's packster-manifest.toml
    HandlerChangedManifest = 7021,
    // a handler made something at PACKSTER_DEPLOYMENT_FINAL_PATH before the deployment was published there
    HandlerWroteFinalPath = 7022,

    // 8xxx sources and network (exit 8)
    SourceNotFound = 8000,
    SourceUnreachable = 8001,
    SourceUnauthorized = 8002,
    SourceForbidden = 8003,
    PackageNotFound = 8004,
    PublishConflict = 8005,
    InsecureSource = 8006,
    SourceConfigInvalid = 8007,
    SourceProtocol = 8008,
    NoMatchingVersion = 8009,
    DependencyCycle = 8010,
    OfflineCacheMiss = 8011,
    BundleFileInvalid = 8012,
    BundleLockMismatch = 8013,
    ProjectConfigNotAllowed = 8014,
    DependencyConflict = 8015,
    EnvironmentFileInvalid = 8017,
    EnvironmentMismatch = 8018,
    SourceCannotList = 8019,
    OciNameInvalid = 8020,
    EnvironmentValueUnrepresentable = 8021,

    // 9xxx the operating system refused a file operation (exit 9)
    DiskFull = 9000,
    PermissionDenied = 9001,
    CrossDevice = 9002,
    PathTooLong = 9003,
    ReadOnlyFileSystem = 9004,
    FileSystemError = 9005,
}

/// <summary>The one place error codes become process exit codes.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int InvalidInput = 3;
    public const int Integrity = 4;
    public const int Location = 5;
    public const int Conflict = 6;
    public const int Handler = 7;
    public const int Source = 8;
    public const int SystemRefused = 9;
    public const int Cancelled = 130;

    public static int For(ErrorCode code) => ((int)code / 1000) switch
    {
        0 => code == ErrorCode.Interrupted ? Cancelled : Failure,
        1 => Usage,
        2 or 3 => InvalidInput,
        4 => Integrity,
        5 => Location,
        6 => Conflict,
        7 => code == ErrorCode.HandlerCancelled ? Cancelled : Handler,
        8 => Source,
        9 => SystemRefused,
        _ => Failure,
    };

    /// <summary>Renders a code as users see it: <c>PST4001</c>.</summary>
    public static string Format(ErrorCode code) => $"PST{(int)code:D4}";
}
