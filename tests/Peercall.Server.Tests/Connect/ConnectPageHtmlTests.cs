using Peercall.Contracts.Connect;
using Peercall.Server.Connect;

namespace Peercall.Server.Tests.Connect;

public sealed class ConnectPageHtmlTests
{
    private static readonly CertificateSummary OperatorsCertificate =
        new("CN=peercall.example.org", "AA:BB", "q83v", new DateTimeOffset(2027, 6, 1, 0, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData("en", "This server uses its operator's own certificate", "valid until 2027-06-01")]
    [InlineData("ru", "Этот сервер использует собственный сертификат владельца", "действителен до 2027-06-01")]
    public void A_server_with_its_operators_certificate_has_no_authority_to_install(string language, string ownCertificate,
        string validUntil)
    {
        var text = language == "ru" ? ConnectPageText.Russian : ConnectPageText.English;

        var html = ConnectPageHtml.Render(new ConnectInfo(["https://peercall.example.org/"], null, null, OperatorsCertificate),
            plainAuthorityUrl: null, text);

        Assert.Contains(ownCertificate, html);
        Assert.Contains(validUntil, html);
        Assert.Contains(">https://peercall.example.org/</a>", html);
        Assert.DoesNotContain("peercall-ca.crt", html);
        Assert.Equal(1, html.Split("<svg").Length - 1);
    }

    [Fact]
    public void Addresses_and_subjects_are_encoded()
    {
        var html = ConnectPageHtml.Render(
            new ConnectInfo(["https://a<b>/"], null, null, OperatorsCertificate with { Subject = "CN=<script>" }),
            plainAuthorityUrl: null, ConnectPageText.English);

        Assert.DoesNotContain("<script>", html);
        Assert.Contains("CN=&lt;script&gt;", html);
        Assert.Contains("https://a&lt;b&gt;/", html);
    }
}
