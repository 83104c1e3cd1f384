package datasets

import (
	"bytes"
	"encoding/binary"

	"github.com/pkg/errors"
)

// checkPickle walks the opcodes of a pickle stream without running it and
// fails if an opcode is unknown or declares more bytes than the stream holds.
// npyio's unpickler allocates a declared length before reading it, so
// without this check a few corrupted bytes could ask for gigabytes.
func checkPickle(p []byte) error {
	i := 0
	need := func(n uint64) error {
		if n > uint64(len(p)-i) {
			return errors.Errorf("pickle opcode at byte %d declares %d bytes, %d remain", i, n, len(p)-i)
		}
		return nil
	}
	line := func() error {
		j := bytes.IndexByte(p[i:], '\n')
		if j < 0 {
			return errors.Errorf("pickle opcode at byte %d: unterminated line", i)
		}
		i += j + 1
		return nil
	}
	for i < len(p) {
		op := p[i]
		i++
		var err error
		switch op {
		case '.': // STOP
			return nil
		case '(', '0', '1', '2', 'N', 'R', 'b', 'a', 'e', 'l', ']', 'd', '}', 's', 'u', 't', ')',
			'o', 'Q', 0x81, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8f, 0x90, 0x91, 0x92, 0x93, 0x94, 0x97, 0x98:
			// no argument
		case 'K', 'q', 'h', 0x80, 0x82:
			err = need(1)
			i++
		case 'M', 0x83:
			err = need(2)
			i += 2
		case 'J', 'r', 'j', 0x84:
			err = need(4)
			i += 4
		case 'G':
			err = need(8)
			i += 8
		case 0x95: // FRAME: an 8-byte size, then the framed opcodes
			if err = need(8); err == nil {
				err = need(binary.LittleEndian.Uint64(p[i:]) + 8)
				i += 8
			}
		case 0x8a, 'U', 0x8c, 'C': // 1-byte length, then data
			if err = need(1); err == nil {
				n := uint64(p[i])
				i++
				if err = need(n); err == nil {
					i += int(n)
				}
			}
		case 0x8b, 'T', 'X', 'B': // 4-byte length, then data
			if err = need(4); err == nil {
				n := uint64(binary.LittleEndian.Uint32(p[i:]))
				i += 4
				if err = need(n); err == nil {
					i += int(n)
				}
			}
		case 0x8d, 0x8e, 0x96: // 8-byte length, then data
			if err = need(8); err == nil {
				n := binary.LittleEndian.Uint64(p[i:])
				i += 8
				if err = need(n); err == nil {
					i += int(n)
				}
			}
		case 'I', 'L', 'F', 'S', 'V', 'p', 'g', 'P':
			err = line()
		case 'c', 'i':
			if err = line(); err == nil {
				err = line()
			}
		default:
			return errors.Errorf("unknown pickle opcode 0x%02x at byte %d", op, i-1)
		}
		if err != nil {
			return err
		}
	}
	return errors.New("pickle stream ends without STOP")
}
