namespace Hall.Tests.Benchmark;

/// <summary>
/// How a benchmark fixture runs. <see cref="Full"/> on demand only (README's commands select it by its category, Benchmark);
/// <see cref="Smoke"/> in every test run: a few seconds with small counts, asserting only that the benchmark completes and
/// prints its table — so a benchmark cannot rot unnoticed. The smoke's figures mean nothing and are written nowhere.
/// </summary>
public enum BenchmarkRun
{
    Full,
    Smoke,
}
