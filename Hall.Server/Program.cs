using Hall.Server;

var builder = WebApplication.CreateBuilder(args);
builder.AddHall();
var app = builder.Build();
app.MapHall();
app.Run();

/// <summary>Visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
