using Peercall.EndToEnd.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Accounts;

[Collection(BrowserCollection.Name)]
public sealed class AccountFormTests(EndToEndFixture env)
{
    [Fact]
    public async Task Registration_and_sign_in_problems_appear_next_to_their_fields()
    {
        await using var alice = await Person.LaunchAsync(env, "alice");
        await using var taken = await Person.LaunchAsync(env, "taken");
        await taken.RegisterThroughApiAsync();

        await alice.OpenAsync("register");
        var page = alice.Page;
        await page.GetByTestId("submit").ClickAsync();
        await Expect(page.GetByTestId("error-username")).ToHaveTextAsync("Enter a username.");
        await Expect(page.GetByTestId("error-password")).ToHaveTextAsync("Use at least 8 characters.");

        await page.GetByTestId("username").FillAsync("no spaces allowed");
        await page.GetByTestId("password").FillAsync("short");
        await page.GetByTestId("submit").ClickAsync();
        await Expect(page.GetByTestId("error-username")).ToContainTextAsync("Use 3 to 32 letters");
        await Expect(page.GetByTestId("error-password")).ToHaveTextAsync("Use at least 8 characters.");

        // Only the server knows a name is taken; its answer lands next to the username field.
        await page.GetByTestId("username").FillAsync(taken.Username);
        await page.GetByTestId("password").FillAsync(Person.Password);
        await page.GetByTestId("submit").ClickAsync();
        await Expect(page.GetByTestId("error-username")).ToHaveTextAsync("This username is taken. Choose another one.");
        await Expect(page.GetByTestId("error-password")).ToHaveCountAsync(0);

        await page.GetByTestId("to-signin").ClickAsync();
        await page.GetByTestId("username").FillAsync(taken.Username);
        await page.GetByTestId("password").FillAsync("not the password");
        await page.GetByTestId("submit").ClickAsync();
        await Expect(page.GetByTestId("form-error")).ToHaveTextAsync("The username or password is wrong.");
        await Expect(page.GetByTestId("signin-form")).ToBeVisibleAsync();
        await alice.ExpectNoAppErrorsAsync();
    }
}
