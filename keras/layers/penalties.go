package layers

import (
	"github.com/gokeras/gokeras/keras/constraints"
	"github.com/gokeras/gokeras/keras/regularizers"
)

func regularizerConfig(r regularizers.Regularizer) *regularizers.Config {
	if r == nil {
		return nil
	}
	c := regularizers.ConfigOf(r)
	return &c
}

func constraintConfig(c constraints.Constraint) *constraints.Config {
	if c == nil {
		return nil
	}
	cc := constraints.ConfigOf(c)
	return &cc
}

// penaltyOptions rebuilds the regularizer and constraint options of a
// layer configuration; nil entries give no option.
func penaltyOptions(kernelReg, biasReg, actReg *regularizers.Config, kernelCon, biasCon *constraints.Config) ([]Option, error) {
	var opts []Option
	for _, r := range []struct {
		c    *regularizers.Config
		make func(interface{}) Option
	}{{kernelReg, KernelRegularizer}, {biasReg, BiasRegularizer}, {actReg, ActivityRegularizer}} {
		if r.c == nil {
			continue
		}
		reg, err := regularizers.FromConfig(*r.c)
		if err != nil {
			return nil, err
		}
		opts = append(opts, r.make(reg))
	}
	for _, c := range []struct {
		c    *constraints.Config
		make func(interface{}) Option
	}{{kernelCon, KernelConstraint}, {biasCon, BiasConstraint}} {
		if c.c == nil {
			continue
		}
		con, err := constraints.FromConfig(*c.c)
		if err != nil {
			return nil, err
		}
		opts = append(opts, c.make(con))
	}
	return opts, nil
}
