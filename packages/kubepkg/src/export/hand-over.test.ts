import { describe, expect, it } from 'vitest';
import { handOver, Stopped } from './hand-over.ts';

const bytes = (n: number) => new Uint8Array([n]);

describe('handOver', () => {
  it('yields every emitted chunk in order, without reading ahead', async () => {
    let emitted = 0;
    const seen: number[] = [];
    for await (const chunk of handOver(async (emit) => {
      for (let i = 0; i < 3; i++) {
        emitted++;
        await emit(bytes(i));
      }
    })) {
      seen.push(chunk[0] as number);
      expect(emitted).toBe(seen.length); // the producer waits for each chunk to be taken
    }
    expect(seen).toEqual([0, 1, 2]);
  });

  it('passes the producer’s error to the consumer', async () => {
    const read = async () => {
      for await (const _ of handOver(async (emit) => {
        await emit(bytes(1));
        throw new Error('broke');
      }));
    };
    await expect(read()).rejects.toThrow('broke');
  });

  it('stops the producer with Stopped when the consumer leaves early', async () => {
    let stoppedWith: unknown;
    for await (const _ of handOver(async (emit) => {
      try {
        await emit(bytes(1));
        await emit(bytes(2));
      } catch (error) {
        stoppedWith = error;
        throw error;
      }
    }))
      break;
    expect(stoppedWith).toBeInstanceOf(Stopped);
  });
});
