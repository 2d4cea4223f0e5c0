import { main, parseContext } from '../../infra/synth';

describe('Function: parseContext', () => {
  it('parses JSON values and keeps other values as text, as `cdk synth -c` does', () => {
    expect(
      parseContext(['kass:config={"agent":{"model":"claude-haiku-4-5"}}', 'stage=prod', 'n=3', 'a=b=c']),
    ).toEqual({ 'kass:config': { agent: { model: 'claude-haiku-4-5' } }, stage: 'prod', n: 3, a: 'b=c' });
  });

  it.each(['novalue', '=x'])('refuses %p with a usage error naming it', (pair) => {
    expect(() => parseContext([pair])).toThrow(`-c expects key=value, got "${pair}"`);
  });
});

describe('Function: main (npm run synth)', () => {
  let out: jest.SpyInstance;
  let err: jest.SpyInstance;
  beforeEach(() => {
    out = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('prints its usage for --help and exits 0 without synthesizing', () => {
    expect(main(['--help'])).toBe(0);
    expect(out).toHaveBeenCalledWith(expect.stringContaining('Usage: npm run synth -- [--stage <name>]'));
  });

  it('answers an unknown option with the message and the usage, exit 2 (no stack trace)', () => {
    expect(main(['--bogus'])).toBe(2);
    expect(err).toHaveBeenCalledWith(expect.stringMatching(/^Unknown option '--bogus'[\s\S]*Usage:/));
  });

  it('fails with exit 1 naming the key and the reason for a bad override, before synthesizing', () => {
    expect(main(['--stage', 'prod', '-c', 'kass:config={"logRetentionDays":4}'])).toBe(1);
    expect(err).toHaveBeenCalledWith(
      expect.stringContaining('logRetentionDays: must be a CloudWatch retention period'),
    );
  });
});
