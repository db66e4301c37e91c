namespace Hall.Tests.Operations;

/// <summary>The files an operator installs with: each checked with the tool that would load it.</summary>
[TestFixture]
public sealed class DeployFilesTests
{
    private string _temp = null!;

    [SetUp]
    public void MakeTempFolder()
    {
        _temp = Path.Combine(Path.GetTempPath(), $"hall-deploy-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_temp);
    }

    [TearDown]
    public void RemoveTempFolder() => Directory.Delete(_temp, recursive: true);

    /// <summary>
    /// systemd-analyze verify loads each unit as systemd would (section and key names, value syntax, the ExecStart binary).
    /// The copies differ only in paths that exist on an installed PC: dotnet and the env file point at this machine's.
    /// </summary>
    [TestCase("hall-server.service")]
    [TestCase("hall-kiosk.service")]
    [TestCase("hall-display.service")]
    public async Task The_systemd_unit_loads_without_a_warning(string unit)
    {
        Tools.Require("systemd-analyze", "systemd");
        var dotnet = Tools.Find("dotnet") is { } d ? new FileInfo(d).ResolveLinkTarget(true)?.FullName ?? d : "/usr/share/dotnet/dotnet";
        var text = await File.ReadAllTextAsync(Path.Combine(Tools.DeployFolder, unit));
        Assert.That(text, Does.Contain("ExecStart=/usr/bin/dotnet /opt/hall/").And.Contain("User=hall").And.Contain("NoNewPrivileges=true").And.Contain("ProtectSystem=strict"));
        if (unit != "hall-server.service")
        {
            Assert.That(text, Does.Contain("SupplementaryGroups=dialout"), "the agents open serial ports");
        }
        var envFile = Path.Combine(_temp, "settings.env");
        await File.WriteAllTextAsync(envFile, "");
        var copy = Path.Combine(_temp, unit);
        await File.WriteAllTextAsync(copy, text
            .Replace("/usr/bin/dotnet", dotnet, StringComparison.Ordinal)
            .Replace($"EnvironmentFile=/etc/hall/{unit.Replace(".service", ".env", StringComparison.Ordinal)}", "EnvironmentFile=" + envFile, StringComparison.Ordinal));

        var (code, stdout, stderr) = await Tools.RunAsync("systemd-analyze", ["verify", copy]);

        Assert.That(code, Is.Zero, stderr);
        // Unknown keys are only warnings to systemd: any output is a mistake in the unit.
        Assert.That((stdout + stderr).Trim(), Is.Empty);
    }

    [Test]
    public async Task The_reverse_proxy_sample_passes_nginx_t()
    {
        Tools.Require("nginx", "nginx");
        Tools.Require("openssl", "openssl");
        var crt = Path.Combine(_temp, "hall.crt");
        var key = Path.Combine(_temp, "hall.key");
        var (made, _, err) = await Tools.RunAsync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=hall.example.gov.cn", "-keyout", key, "-out", crt]);
        Assert.That(made, Is.Zero, err);
        var sample = (await File.ReadAllTextAsync(Path.Combine(Tools.DeployFolder, "nginx-hall.conf")))
            .Replace("/etc/hall/tls/hall.crt", crt, StringComparison.Ordinal).Replace("/etc/hall/tls/hall.key", key, StringComparison.Ordinal);
        Assert.That(sample, Does.Contain("proxy_set_header Upgrade $http_upgrade").And.Contain("location /hubs/").And.Contain("location /_blazor").And.Contain("X-Forwarded-Proto"));
        await File.WriteAllTextAsync(Path.Combine(_temp, "hall.conf"), sample);
        // A minimal nginx.conf of our own that includes the sample, as /etc/nginx/nginx.conf includes conf.d/*.conf.
        var conf = Path.Combine(_temp, "nginx.conf");
        await File.WriteAllTextAsync(conf, $$"""
            pid {{_temp}}/nginx.pid;
            error_log {{_temp}}/error.log;
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path {{_temp}}/body;
                proxy_temp_path {{_temp}}/proxy;
                fastcgi_temp_path {{_temp}}/fastcgi;
                uwsgi_temp_path {{_temp}}/uwsgi;
                scgi_temp_path {{_temp}}/scgi;
                include {{_temp}}/hall.conf;
            }
            """);

        var (code, stdout, stderr) = await Tools.RunAsync(Tools.Find("nginx")!, ["-t", "-c", conf, "-p", _temp + "/"]);

        Assert.That(code, Is.Zero, stdout + stderr);
        Assert.That(stderr, Does.Contain("syntax is ok").And.Contain("test is successful"));
        Assert.That(stderr, Does.Not.Contain("[warn]"));
    }

    [TestCase("backup.sh")]
    [TestCase("restore.sh")]
    [TestCase("kiosk-browser.sh")]
    [TestCase("display-browser.sh")]
    [TestCase("make-voice-pack.sh")]
    [TestCase("test.sh")]
    public async Task The_script_parses_and_shellcheck_finds_nothing(string script)
    {
        var path = Path.Combine(Tools.DeployFolder, script);
        var (parsed, _, parseErrors) = await Tools.RunAsync("bash", ["-n", path]);
        Assert.That(parsed, Is.Zero, parseErrors);
        Tools.Require("shellcheck", "shellcheck");
        var (code, stdout, stderr) = await Tools.RunAsync("shellcheck", [path]);
        Assert.That(code, Is.Zero, stdout + stderr);
    }

    [TestCase("kiosk-browser.sh", "http://127.0.0.1:5081/")]
    [TestCase("display-browser.sh", "http://127.0.0.1:5082/")]
    public async Task The_browser_launcher_opens_the_local_agent_in_kiosk_mode(string script, string url)
    {
        var text = await File.ReadAllTextAsync(Path.Combine(Tools.DeployFolder, script));
        Assert.That(text, Does.Contain("--kiosk").And.Contain(url).And.Contain("--disable-translate").And.Contain("--disable-infobars").And.Contain("while true"));
        if (script == "display-browser.sh")
        {
            Assert.That(text, Does.Contain("--autoplay-policy=no-user-gesture-required"));
        }
    }

    [Test]
    public async Task The_compose_file_says_it_is_not_tested_here()
    {
        var text = await File.ReadAllTextAsync(Path.Combine(Tools.DeployFolder, "compose.yaml"));
        Assert.That(text, Does.Contain("NOT TESTED HERE").And.Contain("image: postgres:15").And.Contain("image: redis:7"));
    }
}
