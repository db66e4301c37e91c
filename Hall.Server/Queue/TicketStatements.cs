using System.Reflection;
using Hall.Server.Tickets;
using Npgsql;

namespace Hall.Server.Queue;

/// <summary>
/// The statements the raw command paths (issue, call-next) write tickets and their events with, built from the entity and
/// the transitions <see cref="Ticket"/> defines, never typed out column by column: one definition of each transition.
/// </summary>
internal static class TicketStatements
{
    private static readonly PropertyInfo[] TicketColumns = [.. typeof(Ticket).GetProperties().Where(p => p.Name != nameof(Ticket.Version) && p.SetMethod is not null)];

    private static readonly PropertyInfo[] EventColumns = [.. typeof(TicketEvent).GetProperties().Where(p => p.SetMethod is not null)];

    /// <summary>A new ticket row, every column from the entity (<see cref="Ticket.Issue"/> with its id drawn beforehand).</summary>
    public static NpgsqlBatchCommand Insert(Ticket ticket) => InsertRow("tickets", TicketColumns, ticket, returningId: false);

    /// <summary>An event row; without an id it draws one from the version sequence and returns it.</summary>
    public static NpgsqlBatchCommand Insert(TicketEvent entry) =>
        InsertRow("ticket_events", entry.Id == 0 ? [.. EventColumns.Where(p => p.Name != nameof(TicketEvent.Id))] : EventColumns, entry, returningId: entry.Id == 0);

    /// <summary>One UPDATE of the columns a transition sets.</summary>
    public static NpgsqlBatchCommand Update(long ticketId, TicketChange change)
    {
        var columns = change.Columns.ToList();
        var statement = new NpgsqlBatchCommand($"UPDATE tickets SET {string.Join(", ", columns.Select((c, i) => $"{c.Column} = ${i + 1}"))} WHERE id = ${columns.Count + 1}");
        foreach (var (_, value) in columns)
        {
            statement.Parameters.Add(new NpgsqlParameter { Value = Stored(value) });
        }
        statement.Parameters.Add(new NpgsqlParameter { Value = ticketId });
        return statement;
    }

    private static NpgsqlBatchCommand InsertRow(string table, PropertyInfo[] columns, object row, bool returningId)
    {
        var names = string.Join(", ", columns.Select(TicketChange.Column));
        var values = string.Join(", ", columns.Select((_, i) => $"${i + 1}"));
        var statement = new NpgsqlBatchCommand($"INSERT INTO {table} ({names}) VALUES ({values}){(returningId ? " RETURNING id" : "")}");
        foreach (var column in columns)
        {
            statement.Parameters.Add(new NpgsqlParameter { Value = Stored(column.GetValue(row)) });
        }
        return statement;
    }

    private static object Stored(object? value) => value switch
    {
        null => DBNull.Value,
        Enum e => e.ToString(),
        List<int> list => list.ToArray(),
        _ => value,
    };
}
