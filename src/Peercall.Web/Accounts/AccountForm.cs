using System.Net;
using System.Text.RegularExpressions;
using Peercall.Client;
using Peercall.Contracts;
using Peercall.Contracts.Accounts;
using Peercall.Web.Localization;

namespace Peercall.Web.Accounts;

/// <summary>
/// The errors of the sign-in and registration forms, by field. Known problems are said in the person's language;
/// a validation message only the server knows is shown as the server wrote it, next to its field.
/// </summary>
public sealed partial class AccountForm
{
    public const string UsernameField = "username";
    public const string PasswordField = "password";
    public const string DisplayNameField = "displayName";

    private readonly Dictionary<string, Func<UiText, string>> _fieldErrors = new(StringComparer.OrdinalIgnoreCase);

    public Func<UiText, string>? FormError { get; private set; }
    public bool HasErrors => FormError is not null || _fieldErrors.Count > 0;

    public string? FieldError(string field, UiText text) =>
        _fieldErrors.TryGetValue(field, out var error) ? error(text) : null;

    public void Clear()
    {
        _fieldErrors.Clear();
        FormError = null;
    }

    public void CheckRegistration(string username, string password, string displayName)
    {
        Clear();
        if (string.IsNullOrWhiteSpace(username)) _fieldErrors[UsernameField] = t => t.UsernameRequired;
        else if (!UsernamePattern().IsMatch(username)) _fieldErrors[UsernameField] = t => t.UsernameRule;
        if (password.Length < AccountRules.PasswordMinLength)
            _fieldErrors[PasswordField] = t => t.PasswordTooShort(AccountRules.PasswordMinLength);
        else if (password.Length > AccountRules.PasswordMaxLength)
            _fieldErrors[PasswordField] = t => t.PasswordTooLong(AccountRules.PasswordMaxLength);
        if (displayName.Trim().Length > AccountRules.DisplayNameMaxLength)
            _fieldErrors[DisplayNameField] = t => t.DisplayNameTooLong(AccountRules.DisplayNameMaxLength);
    }

    public void CheckSignIn(string username, string password)
    {
        Clear();
        if (string.IsNullOrWhiteSpace(username)) _fieldErrors[UsernameField] = t => t.UsernameRequired;
        if (password.Length == 0) _fieldErrors[PasswordField] = t => t.PasswordRequired;
    }

    public void Report(Exception error)
    {
        Clear();
        switch (error)
        {
            case PeercallApiException { Code: ProblemCodes.UsernameTaken }:
                _fieldErrors[UsernameField] = t => t.UsernameTaken;
                break;
            case PeercallApiException { Code: ProblemCodes.InvalidCredentials }:
                FormError = t => t.InvalidCredentials;
                break;
            case PeercallApiException { Code: ProblemCodes.AccountLocked }:
                FormError = t => t.AccountLocked;
                break;
            case PeercallApiException e when e.Code == ProblemCodes.RateLimited || e.Status == HttpStatusCode.TooManyRequests:
                FormError = t => t.RateLimited;
                break;
            case PeercallApiException { Problem.Errors: { Count: > 0 } errors }:
                foreach (var (field, messages) in errors)
                {
                    var message = string.Join(" ", messages);
                    _fieldErrors[field] = _ => message;
                }
                break;
            case HttpRequestException:
                FormError = t => t.ServerUnreachable;
                break;
            default:
                FormError = t => t.UnexpectedError;
                break;
        }
    }

    [GeneratedRegex(AccountRules.UsernamePattern)]
    private static partial Regex UsernamePattern();
}
