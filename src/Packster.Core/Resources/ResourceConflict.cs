namespace Packster.Resources;

/// <summary>One refused claim: <see cref="Requested"/> wants <see cref="Claim"/>, which <see cref="Owner"/> holds (as <see cref="OwnedClaim"/>).</summary>
public sealed record ResourceConflict(ResourceClaim Claim, ResourceOwner Requested, ResourceClaim OwnedClaim, ResourceOwner Owner)
{
    /// <summary>
    /// <c>shim 'tool' is already owned by conflict-a 1.0.0 (deployment 1a2b3c4d…) in location dev</c>, plus what
    /// overlapped when a shared path conflicts through containment.
    /// </summary>
    public string Describe()
    {
        var what = Claim.VariableKey is not null && Claim.Kind != OwnedClaim.Kind
            ? $"{Claim} collides with {OwnedClaim} of the same name, held by {Owner.Describe()}: a variable is set whole by one package, or extended as a list by several, not both"
            : Claim.Equals(OwnedClaim)
            ? $"{Claim} is already owned by {Owner.Describe()}"
            : $"{Claim} overlaps {OwnedClaim}, owned by {Owner.Describe()}";
        return $"{what}; requested by {Requested.Describe()}";
    }

    public override string ToString() => Describe();
}
