using System;

namespace NetGen
{
    /// <summary>The input layer a^0 = x of a <see cref="NetworkAttribute"/> class: the number of features per sample.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class InputAttribute : Attribute
    {
        /// <summary>Declares the input width.</summary>
        /// <param name="size">The number of input features; at least 1.</param>
        public InputAttribute(int size) => Size = size;

        /// <summary>The number of input features.</summary>
        public int Size { get; }
    }
}
