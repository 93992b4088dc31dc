namespace Packster.Resources;

/// <summary>
/// A proposed change to a location's ownership table: first <see cref="Release"/> those claims (whoever holds
/// them), then give <see cref="Claims"/> to <see cref="Owner"/>.
/// </summary>
public sealed record ResourceChange(ResourceOwner Owner, IReadOnlyCollection<ResourceClaim> Claims, IReadOnlyCollection<ResourceClaim> Release)
{
    public ResourceChange(ResourceOwner owner, IReadOnlyCollection<ResourceClaim> claims) : this(owner, claims, []) { }
}
