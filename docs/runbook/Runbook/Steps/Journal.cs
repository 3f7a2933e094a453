using System.Text.Json;

namespace Runbook.Steps;

/// <summary>
/// Every step the runbook ran against a target, one JSON line each, in <c>journal.jsonl</c> of the records folder:
/// the evidence the sign-off is written from. Appended and flushed step by step, so a run that dies still leaves what
/// it verified.
/// </summary>
public sealed class Journal(string directory)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    private static readonly SemaphoreSlim Writes = new(1, 1);

    public string Directory { get; } = directory;

    public string FilePath => Path.Combine(Directory, "journal.jsonl");

    /// <summary>Lines the last read could not understand (a run killed while writing one).</summary>
    public int Skipped { get; private set; }

    public async Task AppendAsync(StepResult step)
    {
        await Writes.WaitAsync();
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            await File.AppendAllTextAsync(FilePath, JsonSerializer.Serialize(step, Json) + "\n");
        }
        finally
        {
            Writes.Release();
        }
    }

    public async Task<IReadOnlyList<StepResult>> ReadAsync()
    {
        if (!File.Exists(FilePath))
        {
            return [];
        }

        var steps = new List<StepResult>();
        foreach (var line in await File.ReadAllLinesAsync(FilePath))
        {
            // A run killed mid-write leaves half a line; what was written whole still counts.
            try
            {
                if (line.Length > 0 && JsonSerializer.Deserialize<StepResult>(line, Json) is { Run: not null } step)
                {
                    steps.Add(step);
                }
            }
            catch (JsonException)
            {
                Skipped++;
            }
        }

        return steps;
    }
}
