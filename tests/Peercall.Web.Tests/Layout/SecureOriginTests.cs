using Peercall.Web.Layout;

namespace Peercall.Web.Tests.Layout;

public sealed class SecureOriginTests
{
    [Theory]
    [InlineData("https://peercall.lan:5001/", true)]
    [InlineData("https://192.168.1.20/", true)]
    [InlineData("http://localhost:5000/", true)]
    [InlineData("http://127.0.0.1:5000/history", true)]
    [InlineData("http://127.3.4.5/", true)]
    [InlineData("http://[::1]:5000/", true)]
    [InlineData("http://peercall.localhost/", true)]
    [InlineData("http://peercall.lan:5000/", false)]
    [InlineData("http://192.168.1.20:5000/", false)]
    [InlineData("http://[fe80::1]:5000/", false)]
    [InlineData("http://localhost.example.com/", false)]
    public void A_page_is_a_secure_context_over_https_or_from_this_machine(string page, bool secure) =>
        Assert.Equal(secure, SecureOrigin.Is(new Uri(page)));

    [Fact]
    public void The_https_address_offered_keeps_the_pages_host_when_the_server_has_it()
    {
        string[] urls = ["https://192.168.1.20:5001/", "https://peercall.lan:5001/", "http://192.168.1.20:5000/"];

        Assert.Equal("https://peercall.lan:5001/", SecureOrigin.HttpsAddressFor(new Uri("http://peercall.lan:5000/"), urls));
        Assert.Equal("https://192.168.1.20:5001/", SecureOrigin.HttpsAddressFor(new Uri("http://office-pc:5000/"), urls));
    }

    [Fact]
    public void A_server_without_https_offers_no_address() =>
        Assert.Null(SecureOrigin.HttpsAddressFor(new Uri("http://peercall.lan:5000/"), ["http://peercall.lan:5000/"]));
}
