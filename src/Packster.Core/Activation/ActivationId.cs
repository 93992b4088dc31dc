namespace Packster.Activation;

/// <summary>
/// The location ids activation can name in files and markers: 1–100 of ASCII letters, digits, '.', '_' and '-',
/// starting with a letter or digit (spec/activation.md §4). Anything else cannot be registered or enabled.
/// </summary>
public static class ActivationId
{
    public const int MaxLength = 100;

    public static bool IsValid(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= MaxLength && char.IsAsciiLetterOrDigit(id[0])
        && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    public static void Validate(string? id)
    {
        if (!IsValid(id))
        {
            throw new PacksterException(ErrorCode.ActivationIdInvalid, $"invalid location id '{id}' for activation: expected 1-{MaxLength} letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
    }
}
