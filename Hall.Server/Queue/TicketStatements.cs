using Hall.Server.Tickets;
using Npgsql;

namespace Hall.Server.Queue;

/// <summary>
/// A ticket transition as the command paths write it: built from the change <see cref="Ticket"/> defines, never typed out
/// column by column, so each transition is defined once. New rows are written from the entities (<see cref="Rows"/>).
/// </summary>
internal static class TicketStatements
{
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

    private static object Stored(object? value) => value switch
    {
        null => DBNull.Value,
        Enum e => e.ToString(),
        List<int> list => list.ToArray(),
        _ => value,
    };
}
