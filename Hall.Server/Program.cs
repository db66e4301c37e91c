using Hall.Server;
using Hall.Server.Data;

var builder = WebApplication.CreateBuilder(args);
try
{
    builder.AddHall();
    var app = builder.Build();
    app.MapHall();
    app.Run();
}
catch (HallStartupException ex)
{
    // What to install or change, in one message, without a stack trace.
    Console.Error.WriteLine(ex.Message);
    return 1;
}
return 0;

/// <summary>Visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
