// The Kiosk agent. Its full behaviour comes with its own issue; for now it starts, serves its health check on loopback, and says which server it will use.
var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/health", (IConfiguration config) => Results.Ok(new { agent = "Hall.Kiosk", server = config["Hall:Server"] ?? "" }));
app.Run();
