namespace NetGen.Samples.GridSearch;

/// <summary>The digits network of the course: 64 pixels, two LeakyReLU hidden layers, a softmax over the 10 digits.</summary>
[Network(Loss.CrossEntropy)]
[Input(64)]
[Dense(100, Activation.LeakyReLU)]
[Dense(30, Activation.LeakyReLU)]
[Dense(10, Activation.Softmax)]
public partial class DigitsNet { }
