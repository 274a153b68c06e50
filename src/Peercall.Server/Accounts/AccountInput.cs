using System.Text;
using System.Text.RegularExpressions;
using Peercall.Contracts.Accounts;

namespace Peercall.Server.Accounts;

/// <summary>Checks and tidies what a person typed, naming every field that is wrong.</summary>
public static partial class AccountInput
{
    [GeneratedRegex(AccountRules.UsernamePattern)]
    private static partial Regex UsernameRegex();

    public static Dictionary<string, string[]> Validate(RegisterRequest request, out string username, out string displayName)
    {
        var errors = new Dictionary<string, string[]>();
        username = Tidy(request.Username);
        displayName = Tidy(request.DisplayName);

        if (username.Length == 0)
            errors["username"] = ["Choose a username."];
        else if (username.Length is < AccountRules.UsernameMinLength or > AccountRules.UsernameMaxLength)
            errors["username"] = [$"A username has {AccountRules.UsernameMinLength} to {AccountRules.UsernameMaxLength} characters."];
        else if (!UsernameRegex().IsMatch(username))
            errors["username"] = ["A username may contain only letters, digits, '.', '_' and '-'."];

        var password = request.Password ?? "";
        if (password.Length < AccountRules.PasswordMinLength)
            errors["password"] = [$"A password has at least {AccountRules.PasswordMinLength} characters."];
        else if (password.Length > AccountRules.PasswordMaxLength)
            errors["password"] = [$"A password has at most {AccountRules.PasswordMaxLength} characters."];

        if (displayName.Length > AccountRules.DisplayNameMaxLength)
            errors["displayName"] = [$"A display name has at most {AccountRules.DisplayNameMaxLength} characters."];
        else if (displayName.Any(c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format))
            errors["displayName"] = ["A display name may not contain control or invisible formatting characters."];

        if (displayName.Length == 0) displayName = username;
        return errors;
    }

    /// <summary>Trims and brings to Unicode normal form C, so that visually equal names compare equal.</summary>
    public static string Tidy(string? value)
    {
        var trimmed = (value ?? "").Trim();
        return trimmed.IsNormalized(NormalizationForm.FormC) ? trimmed : trimmed.Normalize(NormalizationForm.FormC);
    }
}
