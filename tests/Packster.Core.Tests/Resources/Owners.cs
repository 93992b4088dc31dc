using Packster.Model;
using Packster.Resources;

namespace Packster.Core.Tests.Resources;

internal static class Owners
{
    public static ResourceOwner Make(string package, string version = "1.0.0", string location = "dev", char hashFill = 'a') =>
        new(location, PackageId.Parse(package), PackageVersion.Parse(version), Sha256Digest.Parse(new string(hashFill, 64)));

    public static ResourceOwner Hashed(string package, string hash, string location = "dev") =>
        new(location, PackageId.Parse(package), PackageVersion.Parse("1.0.0"), Sha256Digest.Parse(hash));
}
