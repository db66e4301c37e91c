using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Npgsql;
using NpgsqlTypes;

namespace Hall.Server.Queue;

/// <summary>
/// Entity rows as the command paths write and read them in their own statements: mapped by the EF model (its table and
/// column names and value converters), so a row written here is the row EF would write, but nothing is tracked.
/// </summary>
internal static class Rows
{
    private sealed record Column(PropertyInfo Property, string Name, ValueConverter? Converter, bool Json, bool Generated);

    private sealed record Map(string Table, Column[] Columns, Column Key);

    // The model is the same for every context of the application: its mapping is read once per entity type.
    private static readonly ConcurrentDictionary<Type, Map> Maps = new();

    private static Map MapOf(IModel model, Type type) => Maps.GetOrAdd(type, t =>
    {
        var entity = model.FindEntityType(t) ?? throw new InvalidOperationException($"{t.Name} is not mapped");
        var table = entity.GetTableName()!;
        var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
        var columns = entity.GetProperties()
            .Where(p => p.PropertyInfo is not null)
            .Select(p => new Column(p.PropertyInfo!, p.GetColumnName(store)!, p.GetTypeMapping().Converter, p.GetColumnType() == "jsonb", p.ValueGenerated == ValueGenerated.OnAddOrUpdate))
            .ToArray();
        var key = entity.FindPrimaryKey()!.Properties.Single().PropertyInfo;
        return new Map(table, columns, columns.Single(c => c.Property == key));
    });

    /// <summary>An INSERT of every mapped column; a key left at zero is drawn by the database (and returned when asked).</summary>
    public static NpgsqlBatchCommand Insert(IModel model, object row, bool returningKey = false)
    {
        var map = MapOf(model, row.GetType());
        var drawsKey = Equals(map.Key.Property.GetValue(row), Activator.CreateInstance(map.Key.Property.PropertyType));
        var columns = map.Columns.Where(c => !c.Generated && !(drawsKey && c == map.Key)).ToArray();
        var statement = new NpgsqlBatchCommand(
            $"INSERT INTO {map.Table} ({string.Join(", ", columns.Select(c => c.Name))}) VALUES ({string.Join(", ", columns.Select((_, i) => $"${i + 1}"))}){(returningKey ? $" RETURNING {map.Key.Name}" : "")}");
        foreach (var column in columns)
        {
            statement.Parameters.Add(Parameter(column, row));
        }
        return statement;
    }

    /// <summary>An UPDATE of every mapped column of a row read before, by its key.</summary>
    public static NpgsqlBatchCommand Update(IModel model, object row)
    {
        var map = MapOf(model, row.GetType());
        var columns = map.Columns.Where(c => !c.Generated && c != map.Key).ToArray();
        var statement = new NpgsqlBatchCommand(
            $"UPDATE {map.Table} SET {string.Join(", ", columns.Select((c, i) => $"{c.Name} = ${i + 1}"))} WHERE {map.Key.Name} = ${columns.Length + 1}");
        foreach (var column in columns.Append(map.Key))
        {
            statement.Parameters.Add(Parameter(column, row));
        }
        return statement;
    }

    /// <summary>The row at the reader's position as an entity: every mapped column the statement returned.</summary>
    public static T Read<T>(IModel model, NpgsqlDataReader reader) where T : class
    {
        var map = MapOf(model, typeof(T));
        var row = (T)Activator.CreateInstance(typeof(T), nonPublic: true)!;
        var ordinals = new Dictionary<string, int>(reader.FieldCount);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            ordinals.TryAdd(reader.GetName(i), i);
        }
        foreach (var column in map.Columns)
        {
            if (!ordinals.TryGetValue(column.Name, out var i))
            {
                continue;
            }
            var value = reader.IsDBNull(i) ? null : reader.GetValue(i);
            column.Property.SetValue(row, value is null ? null : column.Converter is { } converter
                ? converter.ConvertFromProvider(Adapt(value, converter.ProviderClrType))
                : Adapt(value, column.Property.PropertyType));
        }
        return row;
    }

    /// <summary>Reads the current result's rows as entities and moves to the next result.</summary>
    public static async Task<List<T>> ReadAllAsync<T>(IModel model, NpgsqlDataReader reader, CancellationToken ct) where T : class
    {
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(Read<T>(model, reader));
        }
        await reader.NextResultAsync(ct);
        return rows;
    }

    private static NpgsqlParameter Parameter(Column column, object row)
    {
        var value = column.Property.GetValue(row);
        if (value is not null && column.Converter is { } converter)
        {
            value = converter.ConvertToProvider(value);
        }
        var parameter = new NpgsqlParameter { Value = value switch { null => DBNull.Value, List<int> list => list.ToArray(), List<string> list => list.ToArray(), _ => value } };
        if (column.Json)
        {
            parameter.NpgsqlDbType = NpgsqlDbType.Jsonb;
        }
        return parameter;
    }

    // The provider's value as the property's type: timestamps as offsets, dates as dates, arrays as lists.
    private static object? Adapt(object value, Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        return value switch
        {
            _ when target.IsInstanceOfType(value) => value,
            DateTime t when target == typeof(DateTimeOffset) => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)),
            DateTime t when target == typeof(DateOnly) => DateOnly.FromDateTime(t),
            Array array when target.IsGenericType && target.GetGenericTypeDefinition() == typeof(List<>) => ToList(array, target),
            _ => Convert.ChangeType(value, target, System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    private static IList ToList(Array array, Type listType)
    {
        var list = (IList)Activator.CreateInstance(listType, array.Length)!;
        foreach (var item in array)
        {
            list.Add(item);
        }
        return list;
    }
}
