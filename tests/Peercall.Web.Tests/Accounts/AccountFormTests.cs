using System.Net;
using Peercall.Client;
using Peercall.Contracts;
using Peercall.Web.Accounts;
using Peercall.Web.Localization;

namespace Peercall.Web.Tests.Accounts;

public sealed class AccountFormTests
{
    [Fact]
    public void Registration_input_is_checked_with_the_servers_rules_in_the_persons_language()
    {
        var form = new AccountForm();
        form.CheckRegistration("a", "short", new string('x', 65));

        Assert.Equal("Use 3 to 32 letters, digits, dots, dashes or underscores.", form.FieldError("username", English.Text));
        Assert.Equal("Не короче 8 символов.", form.FieldError("password", Russian.Text));
        Assert.Equal("Use at most 64 characters.", form.FieldError("displayName", English.Text));

        form.CheckRegistration("ok.name-1", "long enough", "Ok");
        Assert.False(form.HasErrors);
    }

    [Fact]
    public void A_server_validation_message_lands_next_to_its_field_as_the_server_wrote_it()
    {
        var form = new AccountForm();
        form.Report(new PeercallApiException(HttpStatusCode.BadRequest, new Problem(null, "Invalid", 400, null,
            ProblemCodes.ValidationFailed, new Dictionary<string, string[]> { ["displayName"] = ["Not allowed here."] })));

        Assert.Equal("Not allowed here.", form.FieldError("displayName", English.Text));
        Assert.Null(form.FormError);
    }

    [Fact]
    public void Known_refusals_are_said_in_the_persons_language()
    {
        var form = new AccountForm();
        form.Report(new PeercallApiException(HttpStatusCode.Conflict,
            new Problem(null, null, 409, "taken", ProblemCodes.UsernameTaken, null)));
        Assert.Equal("Это имя уже занято. Выберите другое.", form.FieldError("username", Russian.Text));

        form.Report(new PeercallApiException(HttpStatusCode.Forbidden,
            new Problem(null, null, 403, "locked until 12:00", ProblemCodes.AccountLocked, null)));
        Assert.Equal(English.Text.AccountLocked, form.FormError!(English.Text));

        form.Report(new HttpRequestException("refused"));
        Assert.Equal(English.Text.ServerUnreachable, form.FormError!(English.Text));
    }
}
