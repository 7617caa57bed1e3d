using System.Reflection;

namespace Ayalon.Tests.Infrastructure;

[Trait("Category", "Unit")]
public sealed class TestCategoryTests
{
    private static IEnumerable<Type> TestClasses() =>
        typeof(TestCategoryTests).Assembly.GetTypes()
            .Where(t => t.IsClass && t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Any(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any()));

    private static IReadOnlyList<string> CategoriesOf(Type type) =>
        type.GetCustomAttributesData()
            .Where(a => a.AttributeType == typeof(TraitAttribute)
                        && a.ConstructorArguments is [{ Value: "Category" }, _])
            .Select(a => (string)a.ConstructorArguments[1].Value!)
            .ToList();

    [Fact]
    public void Every_test_class_has_exactly_one_known_Category_trait()
    {
        var classes = TestClasses().ToList();
        Assert.True(classes.Count > 50, $"found only {classes.Count} test classes: the reflection query is wrong");

        var wrong = classes
            .Select(t => (Type: t, Categories: CategoriesOf(t)))
            .Where(c => c.Categories.Count != 1 || !TestLane.All.Contains(c.Categories[0]))
            .Select(c => $"{c.Type.FullName}: [{string.Join(", ", c.Categories)}]")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(wrong.Count == 0,
            "every test class needs exactly one [Trait(\"Category\", X)] with X one of " + string.Join(", ", TestLane.All) +
            " (./test.sh --fast runs Category=Unit):\n" + string.Join("\n", wrong));
    }

    [Fact]
    public void A_class_without_the_trait_is_reported()
    {
        Assert.Empty(CategoriesOf(typeof(Uncategorised)));
        Assert.Equal(["Unit"], CategoriesOf(typeof(TestCategoryTests)));
    }

    // Not a test class (no [Fact]); only a subject for the check above.
    private sealed class Uncategorised;
}
